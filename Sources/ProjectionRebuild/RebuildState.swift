import CPrefetch
import Dispatch
import EventLog
import Foundation
import Synchronization
import LMDB

/// The in-memory state of a rebuild: every projection folded from one pass over the log.
///
/// The log is read once, in batches of events, on the calling thread; through a ``BatchPipeline`` the index and
/// every projection each fold the batches on a thread of their own (projections only touch their own tables),
/// while the reader goes on with the next batches. The index is not folded through `apply`: it is append-only by
/// construction (one entry per stream an event names), so either its entries are grouped by stream
/// (``StreamIndexBuilder``, when the table is to be written) or only their ``TableFingerprint`` is kept (to check
/// the live index against).
///
/// Sendable by contract: during a parallel fold each thread touches only its own part (the reader its cursor and
/// type numbering, the index thread the index state, each projection thread that projection's tables), and batches
/// pass between them under the pipeline's lock; the fold returns only after every thread has ended.
final class RebuildState: @unchecked Sendable {
    /// A projection folded into in-memory tables: through its ``FastFold`` when it has one (and `apply` for the
    /// events that leaves), else through `apply`.
    struct Folded {
        let projection: any Projection
        /// The projection's fast fold, when it has one and the rebuild uses fast folds.
        let fast: (any FastFold)?
        let memory: MemoryTables
        /// The tables as `apply` sees them.
        let state: ProjectionState
        /// The tables as the fast fold sees them.
        let foldTables: FoldTables
        /// `eventTypes` as given (nil: every type).
        let types: Set<String>?
        /// The fast fold's derived tables (filled after the fold).
        var derivedTables: [DerivedTable] { fast?.derivedTables ?? [] }
    }

    /// Events read from the log, with the number of their type.
    struct Batch: Sendable {
        var events: [RecordedEvent] = []
        var types: [Int32] = []
        /// Per folded projection, by type number: whether it handles that type (a snapshot, so the reader may add
        /// types while the batch is folded).
        var wants: [[Bool]] = []
    }

    let folded: [Folded]
    /// The index table's name, if the ``StreamIndex`` is among the projections.
    let indexTable: String?
    /// The index entries, when they are built (else only ``indexFingerprint`` is kept).
    private(set) var indexBuilder: StreamIndexBuilder?
    /// The fingerprint of the index entries, when they are not built.
    private(set) var indexFingerprint = TableFingerprint()
    /// The key of every fingerprint of this rebuild.
    let fingerprintKey = TableFingerprint.Key.random()
    /// Index keys added while changes are tracked (see ``trackChanges()``).
    private(set) var addedIndexKeys: [[UInt8]] = []
    private var tracking = false
    /// The last seq folded in.
    private(set) var through: UInt64 = 0
    /// CPU seconds spent per task kind (summed over threads): `read`, `index`, and each projection's name.
    private(set) var taskSeconds: [String: Double] = [:]

    /// Per folded projection, by type number: whether it handles that type.
    private var wants: [[Bool]]
    private var names: EventTypeNames

    /// Prepares to fold `projections`; with `buildIndex`, the index entries are kept (to be written), else only
    /// their fingerprint. Without `fastFolds`, every projection is folded through `apply` alone (tests compare the
    /// two).
    init(
        projections: [any Projection], buildIndex: Bool, holdWritesFrom: Int = RebuildState.holdWritesFromDefault,
        fastFolds: Bool = true
    ) {
        self.holdWritesFrom = holdWritesFrom
        var folded: [Folded] = []
        var indexTable: String?
        for projection in projections {
            if let streamIndex = projection as? StreamIndex {
                indexTable = streamIndex.databaseName("by_stream")
            } else {
                let memory = MemoryTables(names: projection.tables.map { projection.databaseName($0) })
                let entry = Folded(
                    projection: projection, fast: fastFolds ? projection as? any FastFold : nil, memory: memory,
                    state: ProjectionState(detached: memory), foldTables: FoldTables(memory), types: projection.eventTypes)
                for derived in entry.derivedTables { memory.store(projection.databaseName(derived.name)).deferred = true }
                folded.append(entry)
            }
        }
        self.folded = folded
        self.indexTable = indexTable
        indexBuilder = indexTable != nil && buildIndex ? StreamIndexBuilder() : nil
        wants = Array(repeating: [], count: folded.count)
        names = EventTypeNames(known: folded.flatMap { $0.types ?? [] })
    }

    /// Every table, in memory, except the index's.
    var memory: MemoryTables {
        let merged = MemoryTables(names: [])
        for entry in folded { merged.merge(entry.memory) }
        return merged
    }

    /// The in-memory table `name` (not the index).
    func table(_ name: String) -> MemoryTable? {
        for entry in folded { if let table = entry.memory.tables[name] { return table } }
        return nil
    }

    /// Sizes the in-memory tables (and the index builder) after the live tables in `txn`, with a margin, so that
    /// they do not grow while the log is folded: growing a table of hundreds of MB copies it and rehashes every
    /// entry, and each fresh block's pages are faulted in (zeroed) again.
    func reserve(txn: Transaction, databases: [String: Database]) throws {
        for entry in folded {
            for (name, table) in entry.memory.tables {
                guard let db = databases[name] else { continue }
                let (entries, bytes) = try txn.size(db)
                table.map.reserve(entries: entries + entries / 4, bytes: bytes + bytes / 4)
                // A table whose slots outgrow the caches holds its writes back until it is first read (a deferred
                // one gets none: it is filled after the fold).
                if entries >= holdWritesFrom, !table.deferred { table.holdWrites() }
            }
        }
        if let builder = indexBuilder, let name = indexTable, let db = databases[name] {
            builder.reserve(entries: try txn.count(db) + 4096)
        }
    }

    /// The tables' blocks to fault in ahead of the fold (``Prefaulter``), derived tables included (filled after it).
    var blocksToPrefault: [Prefaulter.Region] {
        folded.flatMap { entry in entry.memory.tables.values.flatMap { $0.map.blocksToPrefault } }
    }

    // MARK: Folding

    /// Live entries from which a table holds its writes back during the fold (``PendingWrites``) by default: its
    /// slot table alone is then 4 MB or more.
    static let holdWritesFromDefault = 1 << 18
    /// Live entries from which a table holds its writes back during the fold (tests lower it).
    let holdWritesFrom: Int

    /// Events per batch of a fold.
    static let batchSize = 2048
    /// Batches the reader may be ahead of the slowest consumer.
    static let pipelineDepth = 64

    /// Folds the log's events `(through, last]` in. With `parallel`, reading and folding overlap and projections
    /// fold concurrently; otherwise everything runs on the calling thread (small catch-ups inside a write).
    /// Derived tables are filled once, after the first fold (see ``DerivedTable``); later folds (a catch-up) keep
    /// them through `apply`.
    func fold(txn: Transaction, log: Database, last: UInt64, parallel: Bool, progress: Rebuilder.Progress?) throws {
        try foldEvents(txn: txn, log: log, last: last, parallel: parallel, progress: progress)
        for number in folded.indices { try fillDerivedTables(of: number) }
    }

    private func foldEvents(txn: Transaction, log: Database, last: UInt64, parallel: Bool, progress: Rebuilder.Progress?) throws {
        guard last > through else { return }
        let first = through + 1
        // The parallel fold runs in a read transaction that outlives its batches: their events borrow the log's bytes
        // in place. A catch-up (inside the write transaction) copies them into one reused buffer.
        let reader = try BatchReader(
            txn: txn, log: log, first: first, last: last, batchSize: Self.batchSize, bufferPool: 1, inPlace: parallel)
        defer { reader.close() }
        if parallel {
            try foldPipelined(reader: reader, first: first, last: last, progress: progress)
        } else {
            while true {
                let batch = try read(reader)
                guard let lastEvent = batch.events.last else { break }
                foldIndex(batch)
                for number in folded.indices { try fold(batch, into: number) }
                through = lastEvent.seq
                progress?(through - first + 1, last - first + 1)
            }
        }
        guard through == last else { throw EventStoreError.corrupt("log ends at \(through), head is \(last)") }
    }

    /// The parallel fold: this thread reads batches into a ``BatchPipeline``; the index and every folded
    /// projection each fold them on a thread of their own.
    private func foldPipelined(reader: BatchReader, first: UInt64, last: UInt64, progress: Rebuilder.Progress?) throws {
        let consumers = 1 + folded.count
        let pipeline = BatchPipeline<Batch>(consumers: consumers, depth: Self.pipelineDepth)
        let lastSeqs = Mutex<[Int: UInt64]>([:])
        let reported = Mutex<UInt64>(0)
        let seconds = Mutex<[String: Double]>([:])
        let threads = JoinableThreads()
        for consumer in 0..<consumers {
            let name = consumer == 0 ? "index" : folded[consumer - 1].projection.name
            threads.start("rebuild-\(name)") { [self] in
                let started = CPUClock.threadSeconds()
                var index = 0
                while let batch = pipeline.batch(index) {
                    do {
                        if consumer == 0 { foldIndex(batch) } else { try fold(batch, into: consumer - 1) }
                    } catch {
                        pipeline.fail(error)
                        break
                    }
                    if pipeline.done(index), let progress, let seq = lastSeqs.withLock({ $0.removeValue(forKey: index) }) {
                        // Batches complete in order, but their last consumers may report at the same time: report
                        // one at a time, never going back.
                        reported.withLock { reported in
                            guard seq > reported else { return }
                            reported = seq
                            progress(seq - first + 1, last - first + 1)
                        }
                    }
                    index += 1
                }
                // After the last batch, a projection's thread fills its derived tables while the others may still
                // fold.
                if consumer > 0, !pipeline.hasFailed {
                    do { try fillDerivedTables(of: consumer - 1) } catch { pipeline.fail(error) }
                }
                seconds.withLock { $0[name, default: 0] += CPUClock.threadSeconds() - started }
            }
        }
        let started = CPUClock.threadSeconds()
        var index = 0
        var lastRead: UInt64?
        do {
            while true {
                let batch = try read(reader)
                guard let lastEvent = batch.events.last else { break }
                if progress != nil { lastSeqs.withLock { $0[index] = lastEvent.seq } }
                guard pipeline.push(batch) else { break }
                lastRead = lastEvent.seq
                index += 1
            }
        } catch {
            pipeline.fail(error)
        }
        pipeline.finish()
        threads.join()
        taskSeconds["read", default: 0] += CPUClock.threadSeconds() - started
        taskSeconds.merge(seconds.withLock { $0 }, uniquingKeysWith: +)
        try pipeline.drain()
        if let lastRead { through = lastRead }
    }

    private func read(_ reader: BatchReader) throws -> Batch {
        var batch = Batch()
        batch.events.reserveCapacity(Self.batchSize)
        batch.types.reserveCapacity(Self.batchSize)
        try reader.next(names: &names) { event, number in
            if number == wants.first?.count {
                for index in folded.indices { wants[index].append(folded[index].types?.contains(event.type) ?? true) }
            }
            // Moved in, not copied: a copy counts a reference to the batch buffer, which every fold thread shares.
            batch.events.append(event)
            batch.types.append(Int32(number))
        }
        batch.wants = wants
        return batch
    }

    private func foldIndex(_ batch: Batch) {
        guard indexTable != nil else { return }
        if let builder = indexBuilder {
            for event in batch.events { builder.add(event) }
            return
        }
        // Locals, written back at the end: the class's stored properties, used in the closure below, would each
        // be checked for exclusive access at run time, per stream. (`added` starts empty, so that appending to it
        // does not copy the keys tracked so far.)
        var fingerprint = indexFingerprint
        var added: [[UInt8]] = []
        let tracking = tracking, key = fingerprintKey
        defer {
            indexFingerprint = fingerprint
            addedIndexKeys.append(contentsOf: added)
        }
        // Scratch for the streams of one event and for one index key.
        var streams: [UnsafeRawBufferPointer] = []
        var scratch = [UInt8](repeating: 0, count: 256)
        // In place, as in `fold(_:into:)`.
        batch.events.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return }
            for index in events.indices {
                // The streams of the event `prefetchDistance` ahead are loaded while this one's are hashed.
                if index + Self.prefetchDistance < events.count { events[index + Self.prefetchDistance].prefetchStreams() }
                let event = FoldEvent(first + index)
                let seq = event.seq.bigEndian
                streams.removeAll(keepingCapacity: true)
                event.forEachStreamInPlace { stream in
                    // An event naming a stream twice has one index entry for it.
                    if streams.contains(where: { $0.count == stream.count && ByteOrder.compare($0, stream) == 0 }) { return }
                    streams.append(stream)
                    if scratch.count < stream.count + 9 { scratch = Array(repeating: 0, count: stream.count + 9) }
                    scratch.withUnsafeMutableBytes { scratch in
                        if stream.count > 0 { scratch.baseAddress!.copyMemory(from: stream.baseAddress!, byteCount: stream.count) }
                        scratch[stream.count] = 0
                        scratch.storeBytes(of: seq, toByteOffset: stream.count + 1, as: UInt64.self)
                        let entry = UnsafeRawBufferPointer(rebasing: scratch[0..<(stream.count + 9)])
                        fingerprint.add(key: entry, value: UnsafeRawBufferPointer(start: nil, count: 0), using: key)
                        if tracking { added.append([UInt8](entry)) }
                    }
                }
            }
        }
    }

    private func fold(_ batch: Batch, into number: Int) throws {
        let entry = folded[number]
        let wants = batch.wants[number]
        let projection = entry.projection, state = entry.state, fast = entry.fast, foldTables = entry.foldTables
        // Events are passed in place (a ``FoldEvent`` points at them; `apply` gets a copy): every copy counts a
        // reference to the batch's buffer, which all the fold's threads share.
        try batch.events.withUnsafeBufferPointer { events in
            try batch.types.withUnsafeBufferPointer { types in
                // The payload of the event `prefetchDistance` wanted events ahead is loaded while this one is applied.
                var ahead = 0
                func advance() {
                    while ahead < events.count, !wants[Int(types[ahead])] { ahead += 1 }
                    if ahead < events.count {
                        events[ahead].prefetchPayload()
                        ahead += 1
                    }
                }
                for _ in 0..<Self.prefetchDistance { advance() }
                if let fast, let first = events.baseAddress {
                    for index in events.indices where wants[Int(types[index])] {
                        advance()
                        if try !fast.fold(FoldEvent(first + index), into: foldTables) { try projection.apply(events[index], to: state) }
                    }
                } else {
                    for index in events.indices where wants[Int(types[index])] {
                        advance()
                        try projection.apply(events[index], to: state)
                    }
                }
            }
        }
    }

    /// How many wanted events ahead of the one applied a fold prefetches the payload of.
    static let prefetchDistance = 4

    /// Fills the deferred derived tables of folded projection `number` from their sources' final entries, and
    /// from then on keeps them through `apply` (see ``DerivedTable``).
    private func fillDerivedTables(of number: Int) throws {
        let entry = folded[number]
        for derived in entry.derivedTables {
            let name = entry.projection.databaseName(derived.name)
            guard let table = entry.memory.tables[name], table.deferred,
                  let source = entry.memory.tables[entry.projection.databaseName(derived.source)], !source.deferred
            else { continue }
            try source.forEachUnordered { key, value in
                guard let (derivedKey, derivedValue) = try derived.entry(key, value) else { return }
                guard table.map.set(derivedKey, derivedValue) else { throw EventStoreError.derivedKeyTaken(table: name) }
                table.changed(derivedKey)
            }
            table.deferred = false
        }
    }

    /// From now on, remembers the keys that folding changes (in-memory tables) or adds (index).
    func trackChanges() {
        tracking = true
        for entry in folded {
            for table in entry.memory.tables.values {
                table.stopHoldingWrites()
                if table.touched == nil { table.touched = [] }
            }
        }
    }

    /// Builds the index entries (if only their fingerprint was kept) by reading the log's events `1...through`
    /// again.
    func buildIndex(txn: Transaction, log: Database) throws {
        guard indexTable != nil, indexBuilder == nil else { return }
        let builder = StreamIndexBuilder()
        guard through > 0 else {
            indexBuilder = builder
            return
        }
        let reader = try BatchReader(txn: txn, log: log, first: 1, last: through, batchSize: 4096, bufferPool: 1)
        defer { reader.close() }
        var names = EventTypeNames()
        var count: UInt64 = 0
        while true {
            var read = 0
            try reader.next(names: &names) { event, _ in
                builder.add(event)
                read += 1
            }
            if read == 0 { break }
            count += UInt64(read)
        }
        guard count == through else { throw EventStoreError.corrupt("the log changed under a rebuild") }
        indexBuilder = builder
    }

    // MARK: Reading the result

    /// Sorts every table that changed since it was last sorted, and groups the index, in parallel.
    func prepareSorted() {
        let tables = folded.flatMap { $0.memory.tables.values }
        DispatchQueue.concurrentPerform(iterations: tables.count + 1) { task in
            if task == tables.count { indexBuilder?.prepare() } else { tables[task].prepareSorted() }
        }
    }

    /// Calls `body` with every entry of table `name` in key order (buffers valid only during the call); returns how
    /// many there were. The index must have been built (``buildIndex(txn:log:)``).
    @discardableResult
    func forEachSortedEntry(_ name: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        if name == indexTable {
            guard let builder = indexBuilder else { throw EventStoreError.corrupt("the index was not built") }
            var count = 0
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            try builder.forEachSortedKey { key in
                try body(key, empty)
                count += 1
            }
            return count
        }
        guard let table = table(name) else { throw EventStoreError.unknownTable(name) }
        return try table.forEachSorted(body)
    }

    /// The fingerprint of the rebuilt table `name`.
    func fingerprint(_ name: String) throws -> TableFingerprint {
        var fingerprint = TableFingerprint()
        if name == indexTable {
            guard let builder = indexBuilder else { return indexFingerprint }
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            try builder.forEachSortedKey { fingerprint.add(key: $0, value: empty, using: fingerprintKey) }
            return fingerprint
        }
        guard let table = table(name) else { throw EventStoreError.unknownTable(name) }
        table.forEachUnordered { fingerprint.add(key: $0, value: $1, using: fingerprintKey) }
        return fingerprint
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
    /// Bytes to reserve for a batch's buffer (grows to the largest batch met, plus an eighth).
    private var bufferEstimate = 1 << 16
    /// Storage of earlier batches, oldest first (``bufferPool`` of them at most).
    private var buffers: [EventBytes] = []
    private let bufferPool: Int

    /// Whether events point into the transaction's view of the log instead of copies (see ``init(txn:log:first:last:batchSize:bufferPool:inPlace:)``).
    private let inPlace: Bool

    /// Reads `first...last`, `batchSize` events at a time; the buffers of the last `bufferPool` (at least 1) batches
    /// are kept for reuse (more than the batches in use at once, so that the oldest is free).
    ///
    /// With `inPlace`, nothing is copied: a batch's events borrow their bytes where LMDB's map holds them, valid as
    /// long as `txn`, a read transaction, which every event read must not outlive (a rebuild's fold drops each batch
    /// before its transaction ends).
    init(
        txn: Transaction, log: Database, first: UInt64, last: UInt64, batchSize: Int, bufferPool: Int, inPlace: Bool = false
    ) throws {
        self.bufferPool = max(1, bufferPool)
        self.inPlace = inPlace
        cursor = try InPlaceCursor(txn, log)
        entry = try cursor.seek(EventCodec.seqKey(first))
        expected = first
        self.last = last
        self.batchSize = batchSize
    }

    func close() { cursor.close() }

    /// Calls `body` with up to `batchSize` next events (none once past `last`) and their type numbers (numbered
    /// in order of first appearance). The events' stored values are copied into one storage (``EventBytes``) they
    /// share, or borrowed in place (`inPlace`).
    func next(names: inout EventTypeNames, _ body: (consuming RecordedEvent, Int) throws -> Void) throws {
        if inPlace { return try nextInPlace(names: &names, body) }
        // The oldest storage is reused once the events of its batch are gone (else this allocates a fresh one):
        // fresh memory of that size would come from `mmap`, zeroed page by page. Its bytes are written only here,
        // while this reader holds its sole reference.
        var buffer: EventBytes
        if buffers.count >= bufferPool, isKnownUniquelyReferenced(&buffers[0]), buffers[0].capacity >= bufferEstimate {
            buffer = buffers.removeFirst()
        } else {
            if buffers.count >= bufferPool { buffers.removeFirst() }
            buffer = EventBytes(capacity: bufferEstimate)
        }
        defer { buffers.append(buffer) }
        // Bytes written to `buffer` (its `count` is set once the batch is read).
        var filled = 0
        var ends: [Int] = []
        ends.reserveCapacity(batchSize)
        let first = expected
        while ends.count < batchSize, expected <= last, let (key, value) = entry {
            guard key.count == 8 else { throw EventStoreError.corrupt("bad log key") }
            let seq = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            guard seq == expected else { throw EventStoreError.corrupt("gap in the log before seq \(seq)") }
            Self.prefetchNodeAfterNext(value)
            if buffer.capacity - filled < value.count { buffer = buffer.grown(to: filled + value.count, keeping: filled) }
            buffer.write(value, at: filled)
            filled += value.count
            ends.append(filled)
            expected += 1
            entry = try cursor.next()
        }
        if ends.count < batchSize, expected <= last, entry == nil {
            throw EventStoreError.corrupt("log ends at \(expected - 1), head is \(last)")
        }
        buffer.filled(filled)
        bufferEstimate = max(bufferEstimate, filled + filled / 8)
        var start = 0
        for (offset, end) in ends.enumerated() {
            let event = try RecordedEvent(seq: first + UInt64(offset), storage: buffer, range: start..<end, names: &names)
            try body(consume event, names.last)
            start = end
        }
    }

    /// Asks for the log node after the next one to be loaded into the cache while this one is read. LMDB fills a
    /// page's nodes from its end down: appended in seq order, the next events' nodes lie just below this one (a node
    /// is an 8-byte header, the 8-byte key, then the value). The node after next is prefetched whole (the next one was
    /// asked for at the previous event), assuming values of about this size (a wrong guess costs a useless hint). It
    /// saves the reader about a sixth of its CPU time, which it otherwise spends waiting for nodes from memory.
    @inline(__always)
    private static func prefetchNodeAfterNext(_ value: UnsafeRawBufferPointer) {
        guard let start = value.baseAddress else { return }
        let stride = value.count + 16
        guard 2 * stride + 16 <= Int(bitPattern: start) else { return }
        let node = start - 2 * stride - 16
        var line = 0
        while line < stride {
            cprefetch_read(node + line)
            line += 64
        }
    }

    /// ``next(names:_:)`` without copying: the batch's storage borrows the span of LMDB's map from the lowest to
    /// the highest byte of its values (LMDB fills a page's nodes from its end down, so values are not in seq order
    /// in memory), and each event is the range of its value in that span. Only the values' own bytes are read.
    private func nextInPlace(names: inout EventTypeNames, _ body: (consuming RecordedEvent, Int) throws -> Void) throws {
        var values: [UnsafeRawBufferPointer] = []
        values.reserveCapacity(batchSize)
        var low = UInt.max, high: UInt = 0
        let first = expected
        while values.count < batchSize, expected <= last, let (key, value) = entry {
            guard key.count == 8 else { throw EventStoreError.corrupt("bad log key") }
            let seq = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            guard seq == expected else { throw EventStoreError.corrupt("gap in the log before seq \(seq)") }
            guard let start = value.baseAddress, value.count > 0 else { throw EventStoreError.corrupt("empty event at seq \(seq)") }
            Self.prefetchNodeAfterNext(value)
            let address = UInt(bitPattern: start)
            low = min(low, address)
            high = max(high, address + UInt(value.count))
            values.append(value)
            expected += 1
            entry = try cursor.next()
        }
        if values.count < batchSize, expected <= last, entry == nil {
            throw EventStoreError.corrupt("log ends at \(expected - 1), head is \(last)")
        }
        guard !values.isEmpty, let base = UnsafeRawPointer(bitPattern: low) else { return }
        let storage = EventBytes(borrowing: UnsafeRawBufferPointer(start: base, count: Int(high - low)))
        for (offset, value) in values.enumerated() {
            let start = value.baseAddress! - base
            let event = try RecordedEvent(seq: first + UInt64(offset), storage: storage, range: start..<(start + value.count), names: &names)
            try body(consume event, names.last)
        }
    }
}
