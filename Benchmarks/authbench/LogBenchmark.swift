import ArgumentParser
import AuthCore
import EventLog
import Foundation
import LMDB
import ProjectionRebuild

/// `authbench log`: append throughput (single vs group commit), raw LMDB baseline, rebuild speed, bytes per event.
struct LogBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Event log benchmarks.")

    @Option(help: "Events appended one per commit by a single appender.")
    var single = 2000

    @Option(help: "Events appended by the concurrent appenders in total.")
    var concurrentEvents = 64_000

    @Option(help: "Concurrent appenders.")
    var appenders = 64

    @Option(help: "Events in the generated log for the rebuild benchmark.")
    var rebuildEvents = 1_000_000

    @Option(help: "Keep the generated data directory here (for `authctl verify`).")
    var keep: String?

    func run() throws {
        print("machine_cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        let sample = samplePendingEvents(1024)

        // 1. One appender, one event per durable commit.
        let singleDir = try temporaryDirectory("single")
        defer { try? FileManager.default.removeItem(atPath: singleDir) }
        let singleStore = try EventStore(path: singleDir, projections: DomainProjections.all)
        let singleVault = try installVault(singleStore, directory: singleDir)
        let singleStart = monotonicSeconds()
        for index in 0..<single {
            let event = try Self.presealed(sample[index % sample.count], store: singleStore, vault: singleVault)
            _ = try singleStore.executeSync { context in try emitSealed(event, vault: singleVault, in: &context) }
        }
        let singleEPS = Double(single) / (monotonicSeconds() - singleStart)
        singleStore.close()
        report("append_durable_1", singleEPS)

        // 2. Many appenders, one event per call, group commit.
        let groupDir = try temporaryDirectory("group")
        defer { try? FileManager.default.removeItem(atPath: groupDir) }
        let groupStore = try EventStore(path: groupDir, projections: DomainProjections.all)
        let groupVault = try installVault(groupStore, directory: groupDir)
        let perAppender = concurrentEvents / appenders
        let groupStart = monotonicSeconds()
        // One OS thread per appender (concurrentPerform would cap concurrency at the core count).
        let group = DispatchGroup()
        for worker in 0..<appenders {
            group.enter()
            Thread {
                for index in 0..<perAppender {
                    guard let event = try? Self.presealed(sample[(worker * perAppender + index) % sample.count], store: groupStore, vault: groupVault)
                    else { continue }
                    _ = try? groupStore.executeSync { context in try emitSealed(event, vault: groupVault, in: &context) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let groupSeconds = monotonicSeconds() - groupStart
        let groupEPS = Double(perAppender * appenders) / groupSeconds
        let stats = groupStore.statistics
        // The raw baseline puts the bytes the store wrote (sealed request fields included).
        let groupStored = try groupStore.read { context in
            try (1...UInt64(sample.count)).map { try context.event($0)?.eventBytes ?? [] }
        }
        groupStore.close()
        report("append_durable_\(appenders)", groupEPS)
        report("append_durable_\(appenders)_avg_batch", Double(stats.commands) / Double(max(stats.commits, 1)), decimals: 1)
        report("group_commit_ratio", groupEPS / singleEPS, decimals: 1)

        // 3. Raw LMDB: the same stored bytes, put in batches of the same average size, durable commits.
        let batchSize = max(1, Int((Double(stats.commands) / Double(max(stats.commits, 1))).rounded()))
        let rawDir = try temporaryDirectory("raw")
        defer { try? FileManager.default.removeItem(atPath: rawDir) }
        let rawEnv = try Environment(path: rawDir)
        let rawDB = try rawEnv.openDatabase("log")
        var stored: [[UInt8]] = []
        var previous = EventCodec.genesisHash
        for (index, eventBytes) in groupStored.enumerated() {
            let bytes = Array(eventBytes)
            previous = EventCodec.chainHash(previous: previous, seq: UInt64(index + 1), eventBytes: bytes)
            stored.append(EventCodec.storedValue(hash: previous, eventBytes: bytes))
        }
        let rawTotal = perAppender * appenders
        let rawStart = monotonicSeconds()
        var seq: UInt64 = 0
        while seq < UInt64(rawTotal) {
            try rawEnv.write { txn in
                for _ in 0..<batchSize where seq < UInt64(rawTotal) {
                    seq += 1
                    try txn.put(rawDB, key: EventCodec.seqKey(seq), value: stored[Int(seq) % stored.count], flags: [.append])
                }
            }
        }
        let rawEPS = Double(rawTotal) / (monotonicSeconds() - rawStart)
        report("lmdb_raw_batch", rawEPS)
        report("lmdb_raw_batch_size", Double(batchSize))
        report("append_vs_raw", groupEPS / rawEPS, decimals: 2)

        // 4. Rebuild from a generated log of mixed realistic events.
        let rebuildDir = try keep ?? temporaryDirectory("rebuild")
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: rebuildDir) } }
        let clock = ManualClock()
        let store = try EventStore(path: rebuildDir, projections: DomainProjections.all, clock: clock)
        try installVault(store, directory: rebuildDir)
        try fillSynthetic(store, count: rebuildEvents)
        let head = try store.head()
        let liveDigest = try Digest.live(store: store)
        let rebuildStart = monotonicSeconds()
        let result = try Rebuilder.rebuild(store: store)
        let rebuildSeconds = monotonicSeconds() - rebuildStart
        let rebuiltDigest = try Digest.live(store: store)
        report("rebuild_events", Double(result.events))
        report("rebuild_seconds", rebuildSeconds, decimals: 3)
        report("rebuild_eps", Double(result.events) / rebuildSeconds)
        print("rebuild_digest_equal: \(liveDigest == rebuiltDigest)")

        // 5. Size.
        var storedBytes = 0
        try store.read { context in
            try context.forEachEvent { event in
                storedBytes += event.stored.count
                return true
            }
        }
        report("bytes_per_event", Double(storedBytes) / Double(head.seq), decimals: 1)
        report("file_bytes_per_event", Double(store.environment.usedBytes) / Double(head.seq), decimals: 1)
        print("head: \(head)")
        store.close()
    }

    /// `event` with its request's personal fields sealed by the caller, as the API's refresh route does before it
    /// queues a rotation (``PersonalDataVault/presealed(_:userID:in:)``): the writer then only checks the key.
    static func presealed(_ event: PendingEvent, store: EventStore, vault: PersonalDataVault) throws -> PendingEvent {
        guard let userID = event.streams.first(where: { $0.kind == .user })?.id else { return event }
        var event = event
        event.request = try store.read { try vault.presealed(event.request, userID: userID, in: $0) }
        return event
    }

    /// Realistic events to append (from the synthetic workload).
    func samplePendingEvents(_ count: Int) -> [PendingEvent] {
        var workload = SyntheticWorkload(seed: 7)
        var events: [PendingEvent] = []
        while events.count < count { events.append(contentsOf: workload.next(at: Timestamp(seconds: 1_767_225_600))) }
        return events
    }
}
