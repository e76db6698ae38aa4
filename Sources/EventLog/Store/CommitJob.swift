import LMDB

/// One queued command of the group committer: it runs inside a batch's write transaction, keeps its outcome, and
/// answers its caller once, after the batch has committed (or failed).
///
/// One object per command, made by the caller: the writer stores the outcome in it and resumes the caller's
/// continuation (or signals its semaphore) directly, with no closure or table allocated per command on the writer.
/// `@unchecked Sendable`: made by the caller and then touched only by the writer thread, which answers the caller
/// last (the continuation or semaphore orders that with the caller's read of the result).
class CommitJob: @unchecked Sendable {
    /// The error that took this command out of its batch (it failed after writing), if it did.
    final var excluded: (any Error)?
    /// Whether this job only asks for a catch-up with the shared log (no command; see ``GroupCommitter/requestCatchUp()``).
    final let isCatchUp: Bool

    init(catchUp: Bool = false) { isCatchUp = catchUp }

    /// Runs the command in `txn`. Throws only what must abort the whole attempt: a full (or externally resized)
    /// map, after which the batch runs again in a grown map, or ``GroupCommitter/PartialCommand``, after which it
    /// runs again without this command.
    func run(_ batch: inout CommitBatch) throws { fatalError("overridden") }
    /// Forgets the outcome of an aborted attempt.
    func reset() {}
    /// Answers the caller after the batch: `commitError` is nil when it committed durably.
    func answer(commitError: (any Error)?) {}
    /// Answers the caller with `error` without running the command (the store is closed or overloaded).
    func fail(_ error: any Error) {}
}

/// What the commands of one batch attempt share: the transaction, the projections (by event type) and their tables
/// (resolved once per batch, not per command), the log head they advance and the batch's time.
struct CommitBatch {
    let txn: Transaction
    let tables: LogTables
    let router: ProjectionRouter
    let state: ProjectionState
    var head: LogHead
    let now: Timestamp
    /// The store's installed sealer, read once per batch (``EventStore/install(_:)``).
    let sealer: (any RequestSealer)?
}

/// A command returning `R`, and how its caller waits for it.
/// `@unchecked Sendable`: as ``CommitJob``: `outcome` is written by the writer thread before it answers the caller.
final class TypedCommitJob<R: Sendable>: CommitJob, @unchecked Sendable {
    /// How the caller is answered.
    enum Waiter {
        /// An async caller, resumed by the writer.
        case continuation(UnsafeContinuation<R, any Error>)
        /// A blocked thread (tools and benchmarks), signalled by the writer.
        case semaphore(DispatchSemaphoreBox)
    }

    private let body: (inout CommandContext) throws -> R
    private let waiter: Waiter
    private var outcome: Result<R, any Error>?

    init(_ body: @escaping (inout CommandContext) throws -> R, waiter: Waiter) {
        self.body = body
        self.waiter = waiter
        super.init()
    }

    override func run(_ batch: inout CommitBatch) throws {
        let writesBefore = batch.txn.writes
        do {
            var context = CommandContext(batch: batch)
            let value = try body(&context)
            batch.head = context.head
            outcome = .success(value)
        } catch let error as LMDBError where error == .mapFull || error == .mapResized {
            // Not this command's failure: the map must grow and the batch run again.
            throw error
        } catch {
            // Refused before writing anything: nothing to roll back. Else the batch runs again without it.
            guard batch.txn.writes == writesBefore else {
                excluded = error
                throw GroupCommitter.PartialCommand(error: error)
            }
            outcome = .failure(error)
        }
    }

    override func reset() { outcome = nil }

    override func answer(commitError: (any Error)?) {
        let result: Result<R, any Error>
        if let excluded {
            result = .failure(excluded)
        } else if let outcome {
            // A refused command keeps its own error; a completed one fails with the commit.
            if let commitError, case .success = outcome { result = .failure(commitError) } else { result = outcome }
        } else {
            // Not run in the last attempt: only when that attempt failed before reaching it.
            result = .failure(commitError ?? EventStoreError.closed)
        }
        deliver(result)
    }

    override func fail(_ error: any Error) { deliver(.failure(error)) }

    private func deliver(_ result: Result<R, any Error>) {
        switch waiter {
        case .continuation(let continuation): continuation.resume(with: result)
        case .semaphore(let semaphore):
            outcome = result
            semaphore.signal()
        }
    }

    /// Blocks until the writer answered (``Waiter/semaphore(_:)`` only) and returns the result.
    func wait() throws -> R {
        guard case .semaphore(let semaphore) = waiter else { preconditionFailure("an async job is resumed, not waited for") }
        semaphore.wait()
        return try outcome!.get()
    }
}

/// A catch-up with the shared log (``GroupCommitter/requestCatchUp(waiter:)``): no command; its batch applies the
/// shared log's new commits. It answers the callers that were waiting when the writer took it from the queue.
/// `@unchecked Sendable`: `waiters` is set by the writer thread (under the committer's lock) and read by it.
final class CatchUpJob: CommitJob, @unchecked Sendable {
    var waiters: [UnsafeContinuation<Void, any Error>] = []

    init() { super.init(catchUp: true) }

    override func answer(commitError: (any Error)?) {
        for waiter in waiters {
            if let commitError { waiter.resume(throwing: commitError) } else { waiter.resume() }
        }
        waiters = []
    }

    override func fail(_ error: any Error) {
        for waiter in waiters { waiter.resume(throwing: error) }
        waiters = []
    }
}
