import Dispatch
import Foundation
import LMDB
import EventLog

/// Rebuilds projections from the log.
///
/// The log is folded into memory inside a read snapshot, reading it once for every projection (appends go on
/// meanwhile; see ``RebuildState``). Then, in one write transaction, the events appended since the snapshot are
/// folded in too, each table is replaced by its rebuilt state, and the checkpoints are set. Readers see the old
/// state until that transaction commits and the rebuilt state after: the swap is atomic. Appends wait only for the
/// final transaction.
///
/// How a table is replaced (``WriteMode``): by default, still in the snapshot, every live table is checked against
/// its rebuilt state by ``TableFingerprint`` (the live tables are streamed once, on a thread of their own while the
/// log is folded); in the write transaction a table that matched needs only the keys the catch-up changed compared
/// (and its entry count); a table that did not match is compared in key order and only its differences are written,
/// or, if it is empty or differs in more than an eighth of its entries, it is emptied and bulk-loaded in key order
/// (`MDB_APPEND`). With `.rewrite` every table is bulk-loaded. Either way the result is the rebuilt state, byte for
/// byte.
public enum Rebuilder {
    /// Progress of a rebuild: events folded so far and the total to fold.
    public typealias Progress = @Sendable (_ done: UInt64, _ total: UInt64) -> Void

    /// How rebuilt tables replace the live ones.
    public enum WriteMode: Sendable {
        /// Write only the differences between each live table and its rebuilt state (bulk-load tables that are
        /// empty or differ too much).
        case differences
        /// Empty every table and bulk-load its rebuilt state.
        case rewrite
    }

    /// What a rebuild did.
    public struct Report: Sendable {
        /// Events folded.
        public var events: UInt64
        /// The head the rebuilt state reflects.
        public var head: LogHead
        /// Entries per table in the rebuilt state.
        public var entries: [String: Int]
        /// Tables that differed from their rebuilt state at the snapshot (`.differences`).
        public var differingTables: [String] = []
        /// Tables emptied and bulk-loaded.
        public var rewrittenTables: [String] = []
        /// Entries written or deleted in tables repaired in place.
        public var patchedEntries = 0
        /// Seconds spent folding the log into memory (parallel, outside the write lock).
        public var foldSeconds: Double = 0
        /// Seconds spent checking the live tables against the rebuilt state (parallel, outside the write lock).
        public var verifySeconds: Double = 0
        /// Seconds spent sorting the rebuilt tables for a bulk load (parallel, outside the write lock).
        public var sortSeconds: Double = 0
        /// Seconds spent in the final write transaction (catch-up, checks, repairs, commit).
        public var writeSeconds: Double = 0
        /// The final write transaction's steps: `catch_up`, `check`, `index`, `sort`, `compare`, `bulk_load`,
        /// `commit` (seconds).
        public var writeStepSeconds: [String: Double] = [:]
        /// CPU seconds of the fold per task (summed over threads): `read` (log cursor, envelopes), `index`, and each
        /// folded projection by name.
        public var taskSeconds: [String: Double] = [:]
        /// CPU seconds of the whole rebuild (all threads): compared with the wall time, shows how loaded the machine
        /// was.
        public var cpuSeconds: Double = 0
        /// Bytes of the in-memory tables committed ahead of the fold (``Prefaulter``).
        public var prefaultedBytes = 0
        /// Whether the prefaulter left `SCHED_IDLE` for the fold's priority (a busy machine; see ``Prefaulter``).
        public var prefaultAtFoldPriority = false
    }

    /// The full database names of `projections`' tables, sorted.
    static func tableNames(_ projections: [any Projection]) -> [String] { projections.databaseNames }

    /// Builds the projections' state from the log's events `1...head` into memory, in one read snapshot (see
    /// ``RebuildState``).
    static func buildInMemory(
        environment: Environment, tables: LogTables, projections: [any Projection], buildIndex: Bool = true, progress: Progress?
    ) throws -> (RebuildState, LogHead) {
        let state = RebuildState(projections: projections, buildIndex: buildIndex)
        let head = try environment.read { txn in
            let head = try LogHead.read(txn, tables)
            try state.fold(txn: txn, log: tables.log, last: head.seq, parallel: true, progress: progress)
            return head
        }
        return (state, head)
    }

    /// Rebuilds `projections` of the store at `environment` and swaps them in atomically.
    public static func rebuild(store: EventStore, mode: WriteMode = .differences, progress: Progress? = nil) throws -> Report {
        try rebuild(
            environment: store.environment, tables: store.tables, projections: store.projections,
            databases: store.databases, mode: mode, progress: progress)
    }

    static func rebuild(
        environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database],
        mode: WriteMode = .differences, progress: Progress?, holdWritesFrom: Int = RebuildState.holdWritesFromDefault
    ) throws -> Report {
        let started = MonotonicClock.seconds()
        let cpuStarted = CPUClock.processSeconds()
        let names = tableNames(projections)
        let state = RebuildState(projections: projections, buildIndex: mode == .rewrite, holdWritesFrom: holdWritesFrom)
        var matched: Set<String> = []
        var folded = started
        var prefaulted = (bytes: 0, atFoldPriority: false)
        try environment.readPair { foldTxn, scanTxn in
            let head = try LogHead.read(foldTxn, tables)
            try state.reserve(txn: foldTxn, databases: databases)
            // The live tables are fingerprinted on a thread of their own while the log is folded (both read the
            // same snapshot): it runs beside the fold's threads instead of adding a phase after the fold.
            let scan = mode == .differences
                ? LiveFingerprints(
                    names: names, databases: databases, txn: scanTxn, key: state.fingerprintKey, indexTable: state.indexTable) : nil
            defer { scan?.wait() }
            // Pages of the tables are faulted in ahead of the fold, in the time its threads leave a core idle.
            let prefaulter = Prefaulter(regions: state.blocksToPrefault)
            defer { prefaulter.stop() }
            try state.fold(txn: foldTxn, log: tables.log, last: head.seq, parallel: true, progress: progress)
            prefaulted = (prefaulter.stop(), prefaulter.leftIdlePolicy)
            folded = MonotonicClock.seconds()
            if let scan { matched = try verify(state: state, names: names, live: try scan.result()) }
        }
        let verified = MonotonicClock.seconds()
        if mode == .rewrite { state.prepareSorted() }
        let sortedAt = MonotonicClock.seconds()
        var steps: [String: Double] = [:]
        func step<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
            let start = MonotonicClock.seconds()
            defer { steps[name, default: 0] += MonotonicClock.seconds() - start }
            return try body()
        }
        var bodySeconds = 0.0
        // If the map fills up, the write runs again: the state then already holds the events folded by the first
        // attempt (`state.through`) and the keys they changed, and only newer ones are folded.
        var report = try environment.write { txn -> Report in
            let bodyStarted = MonotonicClock.seconds()
            steps = [:]
            let head = try LogHead.read(txn, tables)
            state.trackChanges()
            try step("catch_up") { try state.fold(txn: txn, log: tables.log, last: head.seq, parallel: false, progress: nil) }
            var report = Report(events: head.seq, head: head, entries: [:])
            for name in names {
                guard let db = databases[name] else { throw EventStoreError.unknownTable(name) }
                if matched.contains(name), let checked = try step("check", { try checkChanges(txn: txn, db: db, name: name, state: state) }) {
                    report.entries[name] = checked.entries
                    report.patchedEntries += checked.written
                    continue
                }
                if mode == .differences { report.differingTables.append(name) }
                if name == state.indexTable { try step("index") { try state.buildIndex(txn: txn, log: tables.log) } }
                if mode == .differences, let patched = try step("compare", { try patch(txn: txn, db: db, name: name, state: state) }) {
                    report.entries[name] = patched.entries
                    report.patchedEntries += patched.written
                    continue
                }
                try step("bulk_load") {
                    try txn.drop(db)
                    report.entries[name] = try txn.append(to: db) { appender in
                        try state.forEachSortedEntry(name) { key, value in try appender.append(key: key, value: value) }
                    }
                }
                report.rewrittenTables.append(name)
            }
            let checkpoint = EventCodec.seqKey(head.seq)
            for projection in projections { try txn.put(tables.meta, key: projection.checkpointKey, value: checkpoint) }
            bodySeconds = MonotonicClock.seconds() - bodyStarted
            return report
        }
        let finished = MonotonicClock.seconds()
        report.foldSeconds = folded - started
        report.verifySeconds = verified - folded
        report.sortSeconds = sortedAt - verified
        report.writeSeconds = finished - sortedAt
        steps["commit"] = report.writeSeconds - bodySeconds
        report.writeStepSeconds = steps
        report.taskSeconds = state.taskSeconds
        report.cpuSeconds = CPUClock.processSeconds() - cpuStarted
        report.prefaultedBytes = prefaulted.bytes
        report.prefaultAtFoldPriority = prefaulted.atFoldPriority
        return report
    }

    /// Fingerprints of live tables, computed on a thread of their own (one table after another) in one read
    /// transaction, which only that thread uses until ``wait()`` returns.
    final class LiveFingerprints: @unchecked Sendable {
        private let thread = JoinableThreads()
        private var outcome: Result<[String: TableFingerprint], any Error> = .success([:])
        private let txn: Transaction

        /// Fingerprints tables `names` in `txn` on a thread of its own; `indexTable`'s keys (`stream ‖ 0 ‖ seq`) hash
        /// each stream once for all its entries (the same fingerprint, for less work).
        init(names: [String], databases: [String: Database], txn: Transaction, key: TableFingerprint.Key, indexTable: String?) {
            self.txn = txn
            thread.start("rebuild-live-fingerprints") { [self] in
                outcome = Result {
                    var fingerprints: [String: TableFingerprint] = [:]
                    for name in names {
                        guard let db = databases[name] else { throw EventStoreError.unknownTable(name) }
                        var live = TableFingerprint()
                        if name == indexTable {
                            var prefix = TableFingerprint.Prefix()
                            try self.txn.forEachInPlace(db) { entryKey, value in
                                live.add(key: entryKey, value: value, sharingAllBut: 8, prefix: &prefix, using: key)
                                return true
                            }
                        } else {
                            try self.txn.forEachInPlace(db) { entryKey, value in
                                live.add(key: entryKey, value: value, using: key)
                                return true
                            }
                        }
                        fingerprints[name] = live
                    }
                    return fingerprints
                }
            }
        }

        /// Waits for the thread to finish (once; later calls return at once).
        func wait() { thread.join() }

        /// The fingerprints, once the thread finished.
        func result() throws -> [String: TableFingerprint] {
            wait()
            return try outcome.get()
        }
    }

    /// The tables whose live fingerprint (in the fold's snapshot) equals the fingerprint of their rebuilt state.
    /// The rebuilt fingerprints are computed in parallel, from memory.
    static func verify(state: RebuildState, names: [String], live: [String: TableFingerprint]) throws -> Set<String> {
        let results = ParallelResults<TableFingerprint>(count: names.count)
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            results.set(index, Result { try state.fingerprint(names[index]) })
        }
        var matched: Set<String> = []
        for (name, result) in zip(names, results.values) where live[name] == (try result.get()) { matched.insert(name) }
        return matched
    }

    /// For a table that matched its rebuilt state at the snapshot: writes the keys the catch-up changed where the
    /// live table differs, then checks the entry counts. Returns the entry count and how many entries were written,
    /// or nil if the counts differ (the table must then be compared in full).
    static func checkChanges(txn: Transaction, db: Database, name: String, state: RebuildState) throws -> (entries: Int, written: Int)? {
        var written = 0
        let expected: Int
        if name == state.indexTable {
            for key in state.addedIndexKeys where try !txn.contains(db, key: key) {
                try txn.put(db, key: key, value: [])
                written += 1
            }
            expected = state.indexFingerprint.count
        } else {
            guard let table = state.table(name) else { throw EventStoreError.unknownTable(name) }
            for key in table.touched ?? [] {
                let rebuilt = table.value(key)
                if try txn.get(db, key: key) == rebuilt { continue }
                if let rebuilt { try txn.put(db, key: key, value: rebuilt) } else { try txn.delete(db, key: key) }
                written += 1
            }
            expected = table.count
        }
        return try txn.count(db) == expected ? (expected, written) : nil
    }

    /// Writes the differences between the live table `db` and its rebuilt state: returns the rebuilt entry count
    /// and how many entries were written or deleted, or nil (nothing written) if the table is empty or more than an
    /// eighth of its entries differ, when a bulk load is cheaper.
    static func patch(txn: Transaction, db: Database, name: String, state: RebuildState) throws -> (entries: Int, written: Int)? {
        let liveCount = try txn.count(db)
        guard liveCount > 0 else { return nil }
        let limit = liveCount / 8
        var puts: [([UInt8], [UInt8])] = []
        var deletes: [[UInt8]] = []
        var rebuiltCount = 0
        let complete = try TableComparison.forEachDifference(
            txn: txn, db: db, rebuilt: { visit in rebuiltCount = try state.forEachSortedEntry(name, visit) }
        ) { difference in
            switch difference {
            case .extraLive(let key): deletes.append(Array(key))
            case .missingLive(let key, let value), .valueDiffers(let key, let value): puts.append((Array(key), Array(value)))
            }
            return puts.count + deletes.count <= limit
        }
        guard complete else { return nil }
        for key in deletes { try txn.delete(db, key: key) }
        for (key, value) in puts { try txn.put(db, key: key, value: value) }
        return (rebuiltCount, puts.count + deletes.count)
    }
}

extension EventStore.Options {
    /// Whether the store builds projections that start from nothing at open (new projections, new versions) with
    /// the rebuild engine (``Rebuilder``: one parallel pass over the log) instead of folding them through `apply`
    /// in one write transaction. `authd` and the tools turn it on.
    public var buildsNewProjectionsByRebuild: Bool {
        get { bulkBuild != nil }
        set {
            guard newValue else {
                bulkBuild = nil
                return
            }
            bulkBuild = { (environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database]) throws in
                _ = try Rebuilder.rebuild(
                    environment: environment, tables: tables, projections: projections, databases: databases, progress: nil)
            }
        }
    }

    /// Default options, with ``buildsNewProjectionsByRebuild`` on.
    public static var rebuildingNewProjections: EventStore.Options {
        var options = EventStore.Options()
        options.buildsNewProjectionsByRebuild = true
        return options
    }
}
