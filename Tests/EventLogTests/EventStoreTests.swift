import AuthCrypto
import EventLog
import Foundation
import LMDB
import ProjectionRebuild
import TestSupport
import Testing

@Suite("Event store: append path")
struct EventStoreTests {
    @Test("appended events read back with gapless seqs, clock time, envelope and a valid hash chain")
    func appendAndRead() async throws {
        let dir = try TemporaryDirectory("append")
        defer { dir.remove() }
        let clock = ManualClock(Timestamp(seconds: 1_800_000_000))
        let store = try makeStore(dir, clock: clock)
        defer { store.close() }
        let first = try await store.append([testEvent(note: "a"), testEvent(note: "b")])
        clock.advance(seconds: 5)
        let second = try await store.append([testEvent(user: "u2", note: "c")])
        #expect(first.map(\.seq) == [1, 2])
        #expect(second.map(\.seq) == [3])
        #expect(first[0].timestamp == Timestamp(seconds: 1_800_000_000))
        #expect(second[0].timestamp == Timestamp(seconds: 1_800_000_005))
        let head = try store.head()
        #expect(head.seq == 3)
        #expect(head.hash == second[0].hash)
        try store.read { context in
            var previous = EventCodec.genesisHash
            for seq in UInt64(1)...3 {
                let event = try #require(try context.event(seq))
                #expect(event.hash == EventCodec.chainHash(previous: previous, seq: seq, eventBytes: Array(event.eventBytes)))
                previous = event.hash
            }
            let event = try #require(try context.event(2))
            #expect(event.type == "test.happened")
            #expect(event.actor == .user("u1"))
            #expect(event.request == RequestInfo(requestID: "req-b", clientIP: "127.0.0.1", userAgent: "tests"))
            #expect(event.streams == [StreamRef(.user, "u1")])
            #expect(try event.fields().string("note") == "b")
            #expect(try context.seqs(in: StreamRef(.user, "u1")) == [1, 2])
            #expect(try context.seqs(in: StreamRef(.user, "u2")) == [3])
            let counter = try context.state.table(CounterProjection(), "by_stream").get(Array("user:u1".utf8))
            #expect(counter.map { Array($0.prefix(2)) } == [0, 2])
        }
    }

    @Test("event time never goes backwards, even if the clock does")
    func monotonicTime() async throws {
        let dir = try TemporaryDirectory("time")
        defer { dir.remove() }
        let clock = ManualClock(Timestamp(seconds: 1_800_000_000))
        let store = try makeStore(dir, clock: clock)
        defer { store.close() }
        _ = try await store.append([testEvent()])
        clock.set(Timestamp(seconds: 1_700_000_000))
        let later = try await store.append([testEvent()])
        #expect(later[0].timestamp == Timestamp(seconds: 1_800_000_000))
    }

    @Test("concurrent callers share one durable commit (group commit)")
    func groupCommit() async throws {
        let dir = try TemporaryDirectory("group")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        let gate = Gate()
        // Hold the writer inside a first command so that the other callers queue up behind it.
        let blocker = Task { try await store.execute { context in
            gate.enterAndWait()
            return try context.emit(testEvent(note: "blocker")).seq
        } }
        try await gate.waitUntilEntered()
        let before = store.statistics
        let seqs = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<63 {
                group.addTask { try await store.append([testEvent(user: "u\(index)", note: "n\(index)")])[0].seq }
            }
            // Give every task time to enqueue before the writer is released.
            try await Task.sleep(for: .milliseconds(300))
            gate.open()
            var all: [UInt64] = []
            for try await seq in group { all.append(seq) }
            return all
        }
        #expect(try await blocker.value == 1)
        #expect(Set(seqs) == Set(2...64))
        let after = store.statistics
        // 1 commit for the blocker's batch, then the 63 queued callers in at most 2 more.
        #expect(after.commands - before.commands == 64)
        #expect(after.commits - before.commits <= 3)
        #expect(try store.head().seq == 64)
    }

    @Test("a full writer queue refuses at once (overloaded) instead of growing; queued work still commits")
    func boundedQueue() async throws {
        let dir = try TemporaryDirectory("bounded")
        defer { dir.remove() }
        var options = EventStore.Options()
        options.maxQueued = 8
        let store = try EventStore(path: dir.path, projections: [CounterProjection()], clock: ManualClock(), options: options)
        defer { store.close() }
        let gate = Gate()
        let blocker = Task { try await store.execute { context in
            gate.enterAndWait()
            return try context.emit(testEvent(note: "blocker")).seq
        } }
        try await gate.waitUntilEntered()
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        _ = try await store.append([testEvent(user: "u\(index)")])
                        return "ok"
                    } catch EventStoreError.overloaded {
                        return "overloaded"
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            gate.open()
            var all: [String] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(try await blocker.value == 1)
        #expect(outcomes.filter { $0 == "ok" }.count == 8)
        #expect(outcomes.filter { $0 == "overloaded" }.count == 32)
        #expect(try store.head().seq == 9)
        // Once drained, the queue accepts work again.
        #expect(try await store.append([testEvent()])[0].seq == 10)
    }

    @Test("a failing command is rolled back alone and does not poison its batch")
    func failedCommandIsolation() async throws {
        let dir = try TemporaryDirectory("isolation")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        let gate = Gate()
        let blocker = Task { try await store.execute { context in
            gate.enterAndWait()
            try context.emit(testEvent(note: "blocker"))
        } }
        try await gate.waitUntilEntered()
        async let good1 = store.append([testEvent(user: "g1")])
        let bad = Task { try await store.execute { context in
            try context.emit(testEvent(user: "bad"))
            try context.emit(testEvent(user: "bad"))
            throw Refused()
        } }
        async let good2 = store.append([testEvent(user: "g2")])
        try await Task.sleep(for: .milliseconds(300))
        gate.open()
        _ = try await blocker.value
        let g1 = try await good1
        let g2 = try await good2
        await #expect(throws: Refused.self) { try await bad.value }
        #expect(Set([g1[0].seq, g2[0].seq]) == [2, 3])
        try store.read { context in
            #expect(try context.head().seq == 3)
            #expect(try context.seqs(in: StreamRef(.user, "bad")).isEmpty)
            #expect(try context.state.table(CounterProjection(), "by_stream").get(Array("user:bad".utf8)) == nil)
            var types: [String] = []
            try context.forEachEvent { event in
                types.append(event.streams[0].id)
                return true
            }
            #expect(types.count == 3 && !types.contains("bad"))
        }
        let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.ok)
    }

    @Test("a command reads its own emitted events through the projections, in the same transaction")
    func readYourWrites() async throws {
        let dir = try TemporaryDirectory("ryw")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        let seen = try await store.execute { context -> [UInt8]? in
            try context.emit(testEvent(user: "x"))
            return try context.state.table(CounterProjection(), "by_stream").get(Array("user:x".utf8))
        }
        #expect(seen.map { Array($0.prefix(2)) } == [0, 1])
    }

    @Test("a batch that fills the map runs again in a grown map; no command fails for it")
    func mapGrowsUnderAppends() throws {
        let dir = try TemporaryDirectory("grow")
        defer { dir.remove() }
        var options = EventStore.Options()
        options.environment.mapSize = 1 << 20
        let store = try EventStore(path: dir.path, projections: [CounterProjection()], clock: ManualClock(), options: options)
        defer { store.close() }
        let note = String(repeating: "x", count: 900)
        for batch in 0..<40 {
            try store.executeSync { context in
                for index in 0..<50 { _ = try context.emit(testEvent(user: "u\(index % 9)", note: "\(batch)-\(index)-" + note)) }
            }
        }
        #expect(try store.head().seq == 2_000)
        #expect(store.environment.mapSize > 1 << 20)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
    }

    @Test("appends after close fail with closed, and reopening sees everything")
    func closeAndReopen() async throws {
        let dir = try TemporaryDirectory("reopen")
        defer { dir.remove() }
        let store = try makeStore(dir)
        _ = try await store.append([testEvent(), testEvent()])
        store.close()
        await #expect(throws: EventStoreError.closed) { try await store.append([testEvent()]) }
        let reopened = try makeStore(dir)
        defer { reopened.close() }
        #expect(try reopened.head().seq == 2)
        _ = try await reopened.append([testEvent()])
        #expect(try reopened.head().seq == 3)
    }

    @Test("events render as JSON that standard parsers read")
    func jsonRendering() async throws {
        let dir = try TemporaryDirectory("json")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        var writer = PayloadWriter()
        writer.add("text", "quote \" and \\ and \u{1}")
        writer.add("bytes", bytes: [0xFF, 0x00, 0x10])
        writer.add("n", Int64(-5))
        writer.add("flag", true)
        writer.add("list", ["a", "b"])
        let event = PendingEvent(type: "test.json", version: 1, actor: .system, request: .none, streams: [], payload: writer.bytes)
        let recorded = try await store.append([event])[0]
        let json = EventJSON.render(recorded)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["seq"] as? Int == 1)
        #expect(object["type"] as? String == "test.json")
        let payload = try #require(object["payload"] as? [String: Any])
        #expect(payload["text"] as? String == "quote \" and \\ and \u{1}")
        #expect(payload["bytes"] as? String == Encoding.base64URL([0xFF, 0x00, 0x10]))
        #expect(payload["n"] as? Int == -5)
        #expect(payload["flag"] as? Bool == true)
        #expect(payload["list"] as? [String] == ["a", "b"])
    }
}
