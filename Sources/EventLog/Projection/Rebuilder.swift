import Dispatch
import LMDB

/// Rebuilds projections from the log.
///
/// The log is folded into in-memory tables inside a read snapshot (appends go on meanwhile); then, in one write
/// transaction, the events appended since the snapshot are folded in too, every projection table is emptied and
/// refilled in key order (`MDB_APPEND`), and the checkpoints are set. Readers see the old state until that
/// transaction commits and the rebuilt state after: the swap is atomic. Appends wait only for the final transaction.
public enum Rebuilder {
    /// Progress of a rebuild: events folded so far and the total to fold.
    public typealias Progress = @Sendable (_ done: UInt64, _ total: UInt64) -> Void

    /// What a rebuild did.
    public struct Report: Sendable {
        /// Events folded.
        public var events: UInt64
        /// The head the rebuilt state reflects.
        public var head: LogHead
        /// Entries written per table.
        public var entries: [String: Int]
        /// Seconds spent folding the log into memory (parallel, outside the write lock).
        public var foldSeconds: Double = 0
        /// Seconds spent in the final write transaction (catch-up, sort, bulk load, commit).
        public var writeSeconds: Double = 0
    }

    /// Folds the log's events `(after, through]` into `memory`, for one projection (skipping events of types it
    /// does not handle without decoding them).
    static func fold(
        txn: Transaction, tables: LogTables, projection: any Projection, memory: MemoryTables,
        after: UInt64, through: UInt64, progress: Progress?
    ) throws -> UInt64 {
        let state = ProjectionState(.memory(memory))
        let filter = projection.eventTypes.map { $0.map { Array($0.utf8) } }
        var count: UInt64 = 0
        var expected = after + 1
        guard through > after else { return 0 }
        try txn.forEach(tables.log, from: EventCodec.seqKey(after + 1)) { key, value in
            guard let seq = EventCodec.seq(fromKey: key) else { throw EventStoreError.corrupt("bad log key") }
            if seq > through { return false }
            guard seq == expected else { throw EventStoreError.corrupt("gap in the log before seq \(seq)") }
            expected += 1
            count += 1
            if count & 0xFFFF == 0 { progress?(count, through - after) }
            if let filter, try !EventCodec.hasType(stored: value, in: filter) { return true }
            try projection.apply(try EventCodec.decode(seq: seq, stored: value), to: state)
            return true
        }
        guard expected == through + 1 else { throw EventStoreError.corrupt("log ends at \(expected - 1), head is \(through)") }
        progress?(count, through - after)
        return count
    }

    /// The full database names of `projections`' tables, sorted.
    static func tableNames(_ projections: [any Projection]) -> [String] {
        projections.flatMap { projection in projection.tables.map { projection.databaseName($0) } }.sorted()
    }

    /// Builds the projections' state from the log's events `1...head` into memory: one reader thread per projection
    /// (projections only touch their own tables), each in its own read snapshot of the same immutable prefix.
    static func buildInMemory(
        environment: Environment, tables: LogTables, projections: [any Projection], progress: Progress?
    ) throws -> (MemoryTables, LogHead) {
        let head = try environment.read { txn in try LogHead.read(txn, tables) }
        let results = ParallelResults<MemoryTables>(count: projections.count)
        DispatchQueue.concurrentPerform(iterations: projections.count) { index in
            let projection = projections[index]
            let memory = MemoryTables(names: projection.tables.map { projection.databaseName($0) })
            results.set(index, Result {
                try environment.read { txn in
                    _ = try fold(
                        txn: txn, tables: tables, projection: projection, memory: memory, after: 0, through: head.seq,
                        progress: index == 0 ? progress : nil)
                }
                return memory
            })
        }
        let merged = MemoryTables(names: [])
        for result in results.values { merged.merge(try result.get()) }
        return (merged, head)
    }

    /// Rebuilds `projections` of the store at `environment` and swaps them in atomically.
    public static func rebuild(store: EventStore, progress: Progress? = nil) throws -> Report {
        try rebuild(
            environment: store.environment, tables: store.tables, projections: store.projections,
            databases: store.databases, progress: progress)
    }

    static func rebuild(
        environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database],
        progress: Progress?
    ) throws -> Report {
        let started = MonotonicClock.seconds()
        let (memory, snapshotHead) = try buildInMemory(
            environment: environment, tables: tables, projections: projections, progress: progress)
        let folded = MonotonicClock.seconds()
        var report = try environment.write { txn -> Report in
            let head = try LogHead.read(txn, tables)
            var caughtUp: UInt64 = 0
            for projection in projections {
                caughtUp = try fold(
                    txn: txn, tables: tables, projection: projection, memory: memory, after: snapshotHead.seq,
                    through: head.seq, progress: nil)
            }
            let names = tableNames(projections)
            let sorted = ParallelResults<[([UInt8], [UInt8])]>(count: names.count)
            DispatchQueue.concurrentPerform(iterations: names.count) { index in
                sorted.set(index, .success(memory.sortedEntries(names[index])))
            }
            var entries: [String: Int] = [:]
            for (index, name) in names.enumerated() {
                guard let db = databases[name] else { throw EventStoreError.unknownTable(name) }
                try txn.drop(db)
                let rows = try sorted.values[index].get()
                for (key, value) in rows { try txn.put(db, key: key, value: value, flags: [.append]) }
                entries[name] = rows.count
            }
            let checkpoint = EventCodec.seqKey(head.seq)
            for projection in projections { try txn.put(tables.meta, key: projection.checkpointKey, value: checkpoint) }
            return Report(events: snapshotHead.seq + caughtUp, head: head, entries: entries)
        }
        report.foldSeconds = folded - started
        report.writeSeconds = MonotonicClock.seconds() - folded
        return report
    }
}

/// Brings projections whose checkpoint is behind the head up to date (new projections, new versions).
enum ProjectionCatchUp {
    static func run(environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database]) throws {
        let (head, behind) = try environment.read { txn -> (LogHead, [(any Projection, UInt64)]) in
            let head = try LogHead.read(txn, tables)
            var behind: [(any Projection, UInt64)] = []
            for projection in projections {
                let checkpoint = try txn.get(tables.meta, key: projection.checkpointKey).flatMap(EventCodec.seq(fromKey:)) ?? 0
                if checkpoint < head.seq { behind.append((projection, checkpoint)) }
            }
            return (head, behind)
        }
        guard !behind.isEmpty, head.seq > 0 else { return }
        // Projections that start from nothing are bulk-built; others are folded forward in place.
        let fresh = behind.filter { $0.1 == 0 }.map(\.0)
        if !fresh.isEmpty {
            _ = try Rebuilder.rebuild(environment: environment, tables: tables, projections: fresh, databases: databases, progress: nil)
        }
        let partial = behind.filter { $0.1 > 0 }
        guard !partial.isEmpty else { return }
        try environment.write { txn in
            let head = try LogHead.read(txn, tables)
            let state = ProjectionState(.live(txn, databases))
            let from = partial.map(\.1).min()! + 1
            try txn.forEach(tables.log, from: EventCodec.seqKey(from)) { key, value in
                guard let seq = EventCodec.seq(fromKey: key), seq <= head.seq else { return false }
                let event = try EventCodec.decode(seq: seq, stored: value)
                for (projection, checkpoint) in partial where seq > checkpoint { try projection.apply(event, to: state) }
                return true
            }
            let checkpoint = EventCodec.seqKey(head.seq)
            for (projection, _) in partial { try txn.put(tables.meta, key: projection.checkpointKey, value: checkpoint) }
        }
    }
}
