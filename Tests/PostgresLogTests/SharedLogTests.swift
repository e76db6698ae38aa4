import AuthCrypto
import EventLog
import Foundation
import LMDB
import PostgresLog
import TestSupport
import Testing

/// Two or three stores (each its own LMDB replica, as on separate nodes) on one PostgreSQL log.
@Suite("PostgreSQL engine: one log, several nodes")
struct SharedLogTests {
    struct Node {
        let dir: TemporaryDirectory
        let store: EventStore

        init(_ url: String, clock: ManualClock = ManualClock()) throws {
            dir = try TemporaryDirectory("pg-node")
            var options = EventStore.Options()
            options.sharedLog = try PostgresSharedLog(url: url)
            store = try EventStore(path: dir.path, projections: [CounterProjection()], clock: clock, options: options)
        }

        func close() {
            store.close()
            dir.remove()
        }
    }

    /// The chain over `authd_log`, recomputed from its rows: every hash checks and seqs are 1…n without gaps.
    static func verifySharedChain(_ url: String) throws -> UInt64 {
        let rows = try TestPostgres.query(url, "SELECT seq, hash, event FROM authd_log ORDER BY seq")
        var previous = EventCodec.genesisHash
        for row in 0..<rows.count {
            let seq = UInt64(try rows.int64(row, 0))
            #expect(seq == UInt64(row + 1))
            let hash = try rows.bytes(row, 1)
            #expect(hash == EventCodec.chainHash(previous: previous, seq: seq, eventBytes: try rows.bytes(row, 2)))
            previous = hash
        }
        return UInt64(rows.count)
    }

    @Test("an event appended on one node reaches the other's replica: same head, same projection digest")
    func replicates() async throws {
        let url = try TestPostgres.freshSchema()
        let a = try Node(url)
        defer { a.close() }
        let b = try Node(url)
        defer { b.close() }
        _ = try await a.store.append([testEvent(note: "a1"), testEvent(user: "u2", note: "a2")])
        _ = try await b.store.append([testEvent(note: "b1")])
        try await a.store.catchUp()
        #expect(try a.store.head().seq == 3)
        #expect(try a.store.head() == b.store.head())
        #expect(try Digest.live(store: a.store) == Digest.live(store: b.store))
        try a.store.read { context in
            let counter = try context.state.table(CounterProjection(), "by_stream").get(Array("user:u1".utf8))
            #expect(counter.map { Array($0.prefix(2)) } == [0, 2])
        }
        #expect(try Self.verifySharedChain(url) == 3)
    }

    @Test("concurrent appends from two nodes: one gapless sequence and one chain, equal replicas")
    func concurrentAppends() async throws {
        let url = try TestPostgres.freshSchema()
        let a = try Node(url)
        defer { a.close() }
        let b = try Node(url)
        defer { b.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                let store = i % 2 == 0 ? a.store : b.store
                group.addTask { _ = try await store.append([testEvent(user: "u\(i % 7)", note: "n\(i)")]) }
            }
            try await group.waitForAll()
        }
        try await a.store.catchUp()
        try await b.store.catchUp()
        #expect(try a.store.head().seq == 200)
        #expect(try a.store.head() == b.store.head())
        #expect(try Digest.live(store: a.store) == Digest.live(store: b.store))
        #expect(try Self.verifySharedChain(url) == 200)
    }

    @Test("a decision is made against state no other node can change under it: each key claimed exactly once")
    func linearizableDecisions() async throws {
        let url = try TestPostgres.freshSchema()
        let a = try Node(url)
        defer { a.close() }
        let b = try Node(url)
        defer { b.close() }
        struct Taken: Error {}
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for key in 0..<40 {
                for store in [a.store, b.store, a.store, b.store] {
                    group.addTask {
                        do {
                            try await store.execute { context in
                                let table = context.state.table(CounterProjection(), "by_stream")
                                if try table.get(Array("user:claim-\(key)".utf8)) != nil { throw Taken() }
                                try context.emit(testEvent(user: "claim-\(key)"))
                            }
                            return true
                        } catch is Taken {
                            return false
                        }
                    }
                }
            }
            var wins = 0
            for try await won in group where won { wins += 1 }
            return wins
        }
        #expect(wins == 40)
        #expect(try Self.verifySharedChain(url) == 40)
    }

    @Test("a new node starts from the shared log alone and reaches the same state")
    func bootstrap() async throws {
        let url = try TestPostgres.freshSchema()
        let a = try Node(url)
        defer { a.close() }
        for i in 0..<30 { _ = try await a.store.append([testEvent(user: "u\(i % 4)", note: "n\(i)")]) }
        let c = try Node(url)
        defer { c.close() }
        #expect(try c.store.head() == a.store.head())
        #expect(try Digest.live(store: c.store) == Digest.live(store: a.store))
    }

    @Test("a node whose replica is ahead of the shared log (acknowledged commits lost) refuses to open")
    func divergence() async throws {
        let url = try TestPostgres.freshSchema()
        let a = try Node(url)
        for i in 0..<5 { _ = try await a.store.append([testEvent(note: "n\(i)")]) }
        a.store.close()
        // The shared log loses its last two commits, as after a failover to a standby that had not received them.
        try TestPostgres.query(url, "DELETE FROM authd_commits WHERE commit_no > 3")
        try TestPostgres.query(url, "DELETE FROM authd_log WHERE seq > 3")
        let head = try TestPostgres.query(url, "SELECT seq, hash, ts FROM authd_commits WHERE commit_no = 3")
        try TestPostgres.query(
            url, "UPDATE authd_head SET commit_no = 3, seq = $1, hash = $2, ts = $3",
            [.int64(try head.int64(0, 0)), .bytes(try head.bytes(0, 1)), .int64(try head.int64(0, 2))])
        var options = EventStore.Options()
        options.sharedLog = try PostgresSharedLog(url: url)
        #expect {
            try EventStore(path: a.dir.path, projections: [CounterProjection()], options: options)
        } throws: { error in
            guard case EventStoreError.diverged(let why) = error else { return false }
            return why.contains("lost acknowledged commits")
        }
        a.dir.remove()
    }

    @Test("a standalone LMDB log is not silently attached to a shared log")
    func standaloneRefused() async throws {
        let url = try TestPostgres.freshSchema()
        let dir = try TemporaryDirectory("standalone")
        defer { dir.remove() }
        let local = try makeStore(dir)
        _ = try await local.append([testEvent()])
        local.close()
        var options = EventStore.Options()
        options.sharedLog = try PostgresSharedLog(url: url)
        #expect(throws: EventStoreError.self) {
            try EventStore(path: dir.path, projections: [CounterProjection()], options: options)
        }
    }

    @Test("connections killed by the server: the next append reconnects and succeeds")
    func reconnects() async throws {
        let name = "reconnect_\(UInt32.random(in: 0...UInt32.max))"
        let url = try TestPostgres.freshSchema() + "&application_name=\(name)"
        let a = try Node(url)
        defer { a.close() }
        _ = try await a.store.append([testEvent(note: "before")])
        let killed = try TestPostgres.query(
            url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
            [.text(name)])
        #expect(killed.count >= 2)  // the writer's and the follower's connections
        _ = try await a.store.append([testEvent(note: "after")])
        #expect(try a.store.head().seq == 2)
        #expect(try Self.verifySharedChain(url) == 2)
    }

    @Test("a shared log that cannot be reached is an `unavailable` error, not a crash")
    func unreachable() throws {
        #expect {
            _ = try PostgresSharedLog(url: "postgres://authd@127.0.0.1:1/authd")
        } throws: { error in
            if case EventStoreError.unavailable = error { return true }
            return false
        }
    }
}

@Suite("PostgreSQL engine: leases and positions")
struct SharedLogLeaseTests {
    @Test("one process of all holds a lease until its connection ends; positions are shared")
    func leaseAndPosition() throws {
        let url = try TestPostgres.freshSchema()
        let first = try PostgresSharedLog(url: url)
        let second = try PostgresSharedLog(url: url)
        #expect(first.holdsLease("notifier"))
        #expect(first.holdsLease("notifier"))
        #expect(!second.holdsLease("notifier"))
        #expect(second.holdsLease("other"))
        #expect(try first.position("notifier") == nil)
        try first.setPosition("notifier", 42)
        #expect(try second.position("notifier") == 42)
        // The holder's session ends (its process died): the lease passes on.
        let name = "lease_\(UInt32.random(in: 0...UInt32.max))"
        let third = try PostgresSharedLog(url: url + "&application_name=\(name)")
        let fourth = try PostgresSharedLog(url: url)
        #expect(third.holdsLease("delivery"))
        #expect(!fourth.holdsLease("delivery"))
        try TestPostgres.query(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [.text(name)])
        #expect(fourth.holdsLease("delivery"))
    }
}

@Suite("PostgreSQL engine: altered shared log")
struct SharedLogTamperTests {
    @Test("an event altered in the shared log's write sets is refused by a node catching up, naming the event")
    func alteredEventRefused() async throws {
        let url = try TestPostgres.freshSchema()
        let a = try SharedLogTests.Node(url)
        defer { a.close() }
        for i in 0..<3 { _ = try await a.store.append([testEvent(note: "n\(i)")]) }
        // Flip the last byte of commit 2's write set (inside its event's bytes: the log put is its last write).
        let rows = try TestPostgres.query(url, "SELECT writes FROM authd_commits WHERE commit_no = 2")
        var writes = try rows.bytes(0, 0)
        let logPut = try #require(try RecordedWrite.decode(writes).firstIndex { $0.database == "log" })
        #expect(logPut >= 0)
        let marker = Array("req-n1".utf8)
        let at = try #require((0...(writes.count - marker.count)).first { Array(writes[$0..<($0 + marker.count)]) == marker })
        writes[at] ^= 0x01
        try TestPostgres.query(url, "UPDATE authd_commits SET writes = $1 WHERE commit_no = 2", [.bytes(writes)])
        #expect {
            _ = try SharedLogTests.Node(url)
        } throws: { error in
            guard case EventStoreError.diverged(let why) = error else { return false }
            return why.contains("event 2 does not continue the hash chain")
        }
    }
}

@Suite("PostgreSQL engine: nodes of different versions")
struct SharedLogVersionTests {
    @Test("a node with a projection the committing node lacks refuses to go on rather than let it go stale")
    func projectionVersionsDiffer() async throws {
        let url = try TestPostgres.freshSchema()
        let oldDir = try TemporaryDirectory("pg-old")
        defer { oldDir.remove() }
        let newDir = try TemporaryDirectory("pg-new")
        defer { newDir.remove() }
        var options = EventStore.Options()
        options.sharedLog = try PostgresSharedLog(url: url)
        let old = try EventStore(path: oldDir.path, projections: [CounterProjection()], options: options)
        defer { old.close() }
        options.sharedLog = try PostgresSharedLog(url: url)
        let new = try EventStore(
            path: newDir.path, projections: [CounterProjection(), CounterProjection(name: "extra")], options: options)
        defer { new.close() }
        _ = try await new.append([testEvent(note: "both maintained")])
        _ = try await old.append([testEvent(note: "extra not maintained")])
        await #expect {
            try await new.catchUp()
        } throws: { error in
            guard case EventStoreError.diverged(let why) = error else { return false }
            return why.contains("p.extra.v1") && why.contains("other projection versions")
        }
    }
}
