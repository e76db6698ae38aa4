/// A log shared by several nodes (the PostgreSQL engine): the source of truth for the global sequence, the hash
/// chain and every batch's writes, which each node applies to its own LMDB environment (its replica).
///
/// The store's writer calls it on its thread, in this order per batch: ``lock()`` (the shared head is locked until
/// ``commit(_:)`` or ``rollback()``, so no other node appends meanwhile), ``commits(after:limit:)`` to catch up
/// with other nodes' commits, the batch's commands run against the caught-up replica, then ``commit(_:)`` with
/// the batch's write set; only after that succeeds does the local LMDB transaction commit and the callers hear
/// "done". A replica therefore only ever holds commits the shared log has.
///
/// Implementations throw ``EventStoreError/unavailable(_:)`` when the shared log cannot be reached.
public protocol SharedLog: AnyObject, Sendable {
    /// The identity of the shared log (random, made when it was created); a replica records it and refuses another.
    func storeIdentity() throws -> [UInt8]
    /// Begins a transaction on the shared log and locks its head until ``commit(_:)`` or ``rollback()``.
    func lock() throws -> SharedHead
    /// The commits after number `after`, oldest first, at most `limit` (inside or outside a locked transaction).
    func commits(after: UInt64, limit: Int) throws -> [SharedCommit]
    /// Appends `commit` (its write set, with the log entries it puts) and moves the head; commits the transaction
    /// begun by ``lock()``. Durable when it returns.
    func commit(_ commit: SharedCommit) throws
    /// Ends the transaction begun by ``lock()`` without writing (idempotent; nothing to do outside one).
    func rollback()
    /// The newest commit's number, read without a lock (for followers and probes).
    func latestCommit() throws -> UInt64
    /// Calls `onCommits` (from a thread of its own) whenever another node may have committed, until `stop` is
    /// called on what it returns.
    func follow(_ onCommits: @escaping @Sendable () -> Void) -> any SharedLogFollower
    /// Whether the last operations reached the shared log.
    var isAvailable: Bool { get }
    /// A position kept in the shared log for a follower that must act once per event for all nodes (the notifier).
    func position(_ name: String) throws -> UInt64?
    /// Sets the position `name` (see ``position(_:)``).
    func setPosition(_ name: String, _ value: UInt64) throws
    /// Whether this process holds (now or after this call) the lease `name`: at most one process of all nodes
    /// holds it, until its connection ends. For work that one node does for all (delivering notices).
    func holdsLease(_ name: String) -> Bool
}

/// A running follower of a ``SharedLog`` (``SharedLog/follow(_:)``).
public protocol SharedLogFollower: Sendable {
    /// Stops following and waits for the follower's thread to end.
    func stop()
}

/// The shared log's head as locked by a batch.
public struct SharedHead: Sendable, Equatable {
    /// The number of the newest commit (0 when none).
    public var commit: UInt64
    /// The newest event.
    public var head: LogHead

    /// Creates a head.
    public init(commit: UInt64, head: LogHead) {
        self.commit = commit
        self.head = head
    }
}

/// One batch's commit on the shared log: its number (gapless, from 1) and its write set (``LMDB/WriteRecorder``).
public struct SharedCommit: Sendable, Equatable {
    /// The commit's number.
    public var number: UInt64
    /// The log head after it.
    public var head: LogHead
    /// The LMDB writes of the batch, log entries included.
    public var writes: [UInt8]

    /// Creates a commit.
    public init(number: UInt64, head: LogHead, writes: [UInt8]) {
        self.number = number
        self.head = head
        self.writes = writes
    }
}
