import Dispatch
import LMDB

/// The in-memory state of a rebuild: every projection folded from one pass over the log.
///
/// The log is read once, in batches of events; while one batch is read (and its envelopes located), the previous
/// batch is folded into every projection, each projection on its own task (projections only touch their own
/// tables), and into the ``StreamIndexBuilder`` (the index is not folded through `apply`: it is append-only by
/// construction, so its entries are grouped by stream instead of put one by one into a table).
///
/// Sendable by contract: within one parallel step, each task touches only its own part (the reader, the index, or
/// one projection's tables); steps are separated by the join of `concurrentPerform`.
final class RebuildState: @unchecked Sendable {
    /// A projection folded through `apply` into in-memory tables.
    struct Folded {
        let projection: any Projection
        let memory: MemoryTables
        let state: ProjectionState
        /// `eventTypes` as given (nil: every type).
        let types: Set<String>?
    }

    /// Events read from the log, with the number of their type (see ``typeNumbers``).
    struct Batch: Sendable {
        var events: [RecordedEvent] = []
        var types: [Int32] = []
        /// Per folded projection, by type number: whether it handles that type (a snapshot, so the reader may add
        /// types while the batch is folded).
        var wants: [[Bool]] = []
    }

    let folded: [Folded]
    /// The index builder and the index table's name, if the ``StreamIndex`` is among the projections.
    let index: (builder: StreamIndexBuilder, table: String)?
    /// The last seq folded in.
    private(set) var through: UInt64 = 0
    /// CPU seconds spent per task kind (summed over threads): `read`, `index`, and each projection's name.
    private(set) var taskSeconds: [String: Double] = [:]

    /// Per folded projection, by type number: whether it handles that type.
    private var wants: [[Bool]]
    private var names = EventTypeNames()

    init(projections: [any Projection]) {
        var folded: [Folded] = []
        var index: (StreamIndexBuilder, String)?
        for projection in projections {
            if let streamIndex = projection as? StreamIndex {
                index = (StreamIndexBuilder(), streamIndex.databaseName("by_stream"))
            } else {
                let memory = MemoryTables(names: projection.tables.map { projection.databaseName($0) })
                folded.append(Folded(projection: projection, memory: memory, state: ProjectionState(.memory(memory)), types: projection.eventTypes))
            }
        }
        self.folded = folded
        self.index = index
        wants = Array(repeating: [], count: folded.count)
    }

    /// Every table, in memory, except the index's.
    var memory: MemoryTables {
        let merged = MemoryTables(names: [])
        for entry in folded { merged.merge(entry.memory) }
        return merged
    }

    /// Sorts every table that changed since it was last sorted, and groups the index, in parallel.
    func prepareSorted() {
        let tables = folded.flatMap { $0.memory.tables.values }
        DispatchQueue.concurrentPerform(iterations: tables.count + 1) { task in
            if task == tables.count { index?.builder.prepare() } else { tables[task].prepareSorted() }
        }
    }

    /// Calls `body` with every entry of table `name` in key order (buffers valid only during the call); returns how
    /// many there were.
    @discardableResult
    func forEachSortedEntry(_ name: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        if let (builder, table) = index, table == name {
            var count = 0
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            try builder.forEachSortedKey { key in
                try body(key, empty)
                count += 1
            }
            return count
        }
        for entry in folded {
            if let table = entry.memory.tables[name] { return try table.forEachSorted(body) }
        }
        throw EventStoreError.unknownTable(name)
    }

    /// Folds the log's events `(through, last]` in. With `parallel`, reading and folding overlap and projections
    /// fold concurrently; otherwise everything runs on the calling thread (small catch-ups inside a write).
    func fold(txn: Transaction, log: Database, last: UInt64, parallel: Bool, progress: Rebuilder.Progress?) throws {
        guard last > through else { return }
        let first = through + 1
        let reader = try BatchReader(txn: txn, log: log, first: first, last: last, batchSize: 4096)
        defer { reader.close() }
        var current = try read(reader)
        while !current.events.isEmpty {
            let batch = current
            if parallel {
                let taskCount = 2 + folded.count
                let results = ParallelResults<(Batch?, [String: Double])>(count: taskCount)
                DispatchQueue.concurrentPerform(iterations: taskCount) { task in
                    let started = CPUClock.threadSeconds()
                    var next: Batch?
                    let result = Result { () throws -> Void in
                        switch task {
                        case 0: next = try self.read(reader)
                        case 1: self.foldIndex(batch)
                        default: try self.fold(batch, into: task - 2)
                        }
                    }
                    let name = task == 0 ? "read" : task == 1 ? "index" : self.folded[task - 2].projection.name
                    results.set(task, result.map { (next, [name: CPUClock.threadSeconds() - started]) })
                }
                var next = Batch()
                for (task, result) in results.values.enumerated() {
                    let (batch, seconds) = try result.get()
                    if task == 0, let batch { next = batch }
                    taskSeconds.merge(seconds, uniquingKeysWith: +)
                }
                current = next
            } else {
                foldIndex(batch)
                for number in folded.indices { try fold(batch, into: number) }
                current = try read(reader)
            }
            through = batch.events.last!.seq
            progress?(through - first + 1, last - first + 1)
        }
        guard through == last else { throw EventStoreError.corrupt("log ends at \(through), head is \(last)") }
    }

    private func read(_ reader: BatchReader) throws -> Batch {
        var batch = Batch()
        try reader.next(names: &names) { event, number in
            if number == wants.first?.count {
                for index in folded.indices { wants[index].append(folded[index].types?.contains(event.type) ?? true) }
            }
            batch.events.append(event)
            batch.types.append(Int32(number))
        }
        batch.wants = wants
        return batch
    }

    private func foldIndex(_ batch: Batch) {
        guard let builder = index?.builder else { return }
        for event in batch.events { builder.add(event) }
    }

    private func fold(_ batch: Batch, into number: Int) throws {
        let entry = folded[number]
        let wants = batch.wants[number]
        for (event, type) in zip(batch.events, batch.types) where wants[Int(type)] {
            try entry.projection.apply(event, to: entry.state)
        }
    }
}

/// Reads consecutive events of the log in batches through one cursor, checking that seqs are gapless.
/// Sendable by contract: used by one task at a time (the read transaction is `MDB_NOTLS`, so any thread may).
final class BatchReader: @unchecked Sendable {
    private let cursor: InPlaceCursor
    private var entry: InPlaceCursor.Entry?
    private var expected: UInt64
    private let last: UInt64
    private let batchSize: Int

    init(txn: Transaction, log: Database, first: UInt64, last: UInt64, batchSize: Int) throws {
        cursor = try InPlaceCursor(txn, log)
        entry = try cursor.seek(EventCodec.seqKey(first))
        expected = first
        self.last = last
        self.batchSize = batchSize
    }

    func close() { cursor.close() }

    /// Calls `body` with up to `batchSize` next events (none once past `last`) and their type numbers (numbered
    /// in order of first appearance).
    func next(names: inout EventTypeNames, _ body: (RecordedEvent, Int) throws -> Void) throws {
        var count = 0
        while count < batchSize, expected <= last, let (key, value) = entry {
            guard key.count == 8 else { throw EventStoreError.corrupt("bad log key") }
            let seq = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            guard seq == expected else { throw EventStoreError.corrupt("gap in the log before seq \(seq)") }
            let event = try RecordedEvent(seq: seq, stored: [UInt8](value), names: &names)
            try body(event, names.last)
            expected += 1
            count += 1
            entry = try cursor.next()
        }
    }
}
