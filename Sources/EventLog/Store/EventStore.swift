import LMDB

/// The append-only event log and its projections, in one LMDB environment.
///
/// - Appends go through one writer thread that batches concurrent callers into one durable (fsync'd) LMDB
///   transaction; each caller's events and their projection updates commit together or not at all.
/// - Reads run in MVCC snapshots and never block the writer.
/// - On open, projections whose checkpoint is behind the head (new versions, new projections) are caught up.
public final class EventStore: Sendable {
    /// The LMDB environment (shared with read-only tools).
    public let environment: Environment
    /// The projections kept in step with the log.
    public let projections: [any Projection]
    /// The clock that stamps events.
    public let clock: any Clock
    package let tables: LogTables
    package let databases: [String: Database]
    let sealerSlot = RequestSealerSlot()
    private let committer: GroupCommitter
    /// The shared log this store replicates, if any.
    public let sharedLog: (any SharedLog)?
    private let follower: (any SharedLogFollower)?

    /// Options of the store.
    public struct Options: Sendable {
        /// LMDB environment options (map size, durability).
        public var environment = Environment.Options()
        /// Most commands per write transaction.
        public var maxBatch = 1024
        /// Most commands waiting for the writer; beyond that commands fail at once with
        /// ``EventStoreError/overloaded`` (bounded memory under a flood, an answer instead of a growing wait).
        public var maxQueued = 16_384
        /// Builds projections that start from nothing (new projections, new versions) at open; without one they are
        /// folded through `apply` in one write transaction. The rebuild engine sets it (`ProjectionRebuild`).
        package var bulkBuild: ProjectionCatchUp.BulkBuild?
        /// The shared log this environment is a replica of (the PostgreSQL engine); nil for a standalone log.
        public var sharedLog: (any SharedLog)?
        /// Creates default options.
        public init() {}
    }

    /// Opens (creating if needed) the store in directory `path`.
    ///
    /// The ``StreamIndex`` projection is always present; pass the domain's projections in `projections`.
    public init(path: String, projections: [any Projection], clock: any Clock = SystemClock(), options: Options = Options()) throws {
        var all: [any Projection] = [StreamIndex()]
        all.append(contentsOf: projections)
        var seen = Set<String>()
        for projection in all where !seen.insert(projection.name).inserted {
            throw EventStoreError.duplicateProjection(projection.name)
        }
        environment = try Environment(path: path, options: options.environment)
        tables = try LogTables(environment: environment, create: true)
        var databases: [String: Database] = [:]
        for projection in all {
            for table in projection.tables {
                let name = projection.databaseName(table)
                databases[name] = try environment.openDatabase(name)
            }
        }
        self.projections = all
        self.databases = databases
        self.clock = clock
        self.sharedLog = options.sharedLog
        if let shared = options.sharedLog {
            try Replica.open(environment: environment, tables: tables, shared: shared)
        }
        try ProjectionCatchUp.run(
            environment: environment, tables: tables, projections: all, databases: databases, bulkBuild: options.bulkBuild)
        committer = GroupCommitter(
            environment: environment, tables: tables, projections: all, databases: databases, clock: clock, sealerSlot: sealerSlot,
            maxBatch: options.maxBatch, maxQueued: options.maxQueued, shared: options.sharedLog)
        let committer = self.committer
        follower = options.sharedLog?.follow { committer.requestCatchUp() }
    }

    /// Applies every commit the shared log has that this replica lacks (at once for a standalone log). For reads
    /// that must see other nodes' writes: a token unknown here may have been issued by another node a moment ago.
    /// Concurrent callers share one catch-up of the writer (a flood of unknown tokens costs one per batch).
    public func catchUp() async throws {
        guard sharedLog != nil else { return }
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            committer.requestCatchUp(waiter: continuation)
        }
    }

    /// Whether the store can take writes: always for a standalone log; for a replica, whether the shared log was
    /// reachable at the last attempt.
    public var isAvailable: Bool { sharedLog?.isAvailable ?? true }

    /// Runs `command` in the write transaction (batched with concurrent callers) and returns its result once the
    /// transaction, with every event the command emitted, is durably committed.
    ///
    /// If `command` throws, its events and projection changes are rolled back; other commands in the batch are not
    /// affected.
    public func execute<R: Sendable>(_ command: @escaping @Sendable (inout CommandContext) throws -> R) async throws -> R {
        // The job resumes the continuation exactly once (after the commit, or at once if the store is closed or
        // overloaded), so the unchecked kind is safe and saves a check per command.
        try await withUnsafeThrowingContinuation { continuation in
            committer.submit(TypedCommitJob(command, waiter: .continuation(continuation)))
        }
    }

    /// Like ``execute(_:)`` but blocks the calling thread (for tools and benchmarks outside async code).
    public func executeSync<R: Sendable>(_ command: @escaping @Sendable (inout CommandContext) throws -> R) throws -> R {
        let job = TypedCommitJob(command, waiter: .semaphore(DispatchSemaphoreBox()))
        committer.submit(job)
        return try job.wait()
    }

    /// Appends `events` as one unit and returns them as recorded, after a durable commit.
    @discardableResult
    public func append(_ events: [PendingEvent]) async throws -> [RecordedEvent] {
        try await execute { context in
            for event in events { try context.emit(event) }
            return context.emitted
        }
    }

    /// Runs `body` in a read snapshot of the log and projections.
    public func read<R>(_ body: (ReadContext) throws -> R) throws -> R {
        try environment.read { txn in
            try body(ReadContext(txn: txn, tables: tables, databases: databases))
        }
    }

    /// The newest event's seq and hash.
    public func head() throws -> LogHead {
        try environment.read { txn in try LogHead.read(txn, tables) }
    }

    /// Counters of the writer.
    public struct Statistics: Sendable, Equatable {
        /// Durable write transactions committed.
        public var commits: UInt64 = 0
        /// Commands (callers) acknowledged in them.
        public var commands: UInt64 = 0
    }

    /// Counters of the writer since the store was opened.
    public var statistics: Statistics { committer.currentStatistics() }

    /// Finishes queued appends and stops the writer. Later appends fail with ``EventStoreError/closed``.
    public func close() {
        follower?.stop()
        committer.stop()
    }

    deinit {
        follower?.stop()
        committer.stop()
    }
}
