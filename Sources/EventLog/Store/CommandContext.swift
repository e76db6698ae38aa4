import LMDB

/// What a command sees while it runs inside the log's write transaction: the time, the projections' current state,
/// and a way to append events. Every event it emits is written to the log and applied to every projection at once,
/// so later reads in the same command see it.
public struct CommandContext {
    /// The time of this batch (from the injected clock).
    public let now: Timestamp
    /// The projections' tables, as of this transaction.
    public let state: ProjectionState
    let txn: Transaction
    let tables: LogTables
    let router: ProjectionRouter
    /// The newest event, including those this command emitted.
    public private(set) var head: LogHead
    /// The events this command emitted so far.
    public private(set) var emitted: [RecordedEvent] = []
    /// The store's installed sealer (``EventStore/install(_:)``), which rewrites each event's request fields.
    public let sealer: (any RequestSealer)?
    /// Whether an event of this command was offered its request's presealed fields (``PresealedRequest``).
    private var presealedAdopted = false

    /// A context in `batch`: its transaction, its projection state (shared by the batch's commands, so each table
    /// is resolved once per batch) and its current head.
    init(batch: CommitBatch) {
        self.now = batch.now
        self.txn = batch.txn
        self.tables = batch.tables
        self.router = batch.router
        self.head = batch.head
        self.state = batch.state
        self.sealer = batch.sealer
    }

    /// Makes this batch's commit write and sync even if no event is appended (a meta key records the time). For a
    /// command whose "nothing happened" must cost what "something happened" costs, so that timing does not tell
    /// the cases apart (enumeration-safe answers).
    public func requireDurableCommit() throws {
        try txn.put(tables.meta, key: LogTables.durableMarkKey, value: EventCodec.seqKey(UInt64(bitPattern: now.microseconds)))
    }

    /// Appends `event` to the log and applies it to every projection (its request fields first rewritten by the
    /// installed ``RequestSealer``, if any).
    @discardableResult
    public mutating func emit(_ event: PendingEvent) throws -> RecordedEvent {
        var event = event
        if event.request.presealed != nil {
            // A presealing serves the command's first event that carries it; later ones are sealed afresh.
            if presealedAdopted { event.request.presealed = nil } else { presealedAdopted = true }
        }
        if let sealer { event.request = try sealer.sealedRequest(of: event, in: self) }
        let seq = head.seq + 1
        let timestamp = max(now, head.timestamp)
        let (stored, hash) = EventCodec.stored(event, seq: seq, timestamp: timestamp, previous: head.hash)
        try withUnsafeBytes(of: seq.bigEndian) { key in
            try stored.withUnsafeBytes { value in try txn.put(tables.log, key: key, value: value, flags: [.append]) }
        }
        let recorded = try RecordedEvent(seq: seq, stored: stored)
        for projection in router.projections(for: recorded.type) {
            try projection.apply(recorded, to: state)
        }
        head = LogHead(seq: seq, hash: hash, timestamp: timestamp)
        emitted.append(recorded)
        return recorded
    }
}
