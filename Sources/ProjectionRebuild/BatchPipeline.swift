import Foundation
import EventLog

/// Hands the batches of a parallel fold from the reader to its consumers (the index and each folded projection),
/// each consumer on a thread of its own, with no join per batch: a consumer waits only when it has caught up with
/// the reader, and the reader only when it is `depth` batches ahead of the slowest consumer.
///
/// (A join per batch left cores idle: on two cores, whichever long task started last ran alone until it ended.)
/// Each consumer takes every batch, in order, so batches are fully consumed in order too; a batch is dropped once
/// every consumer is done with it. The first error stops everyone.
/// `@unchecked Sendable`: every field is guarded by its condition lock.
final class BatchPipeline<Batch>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Int: Batch] = [:]
    private var remaining: [Int: Int] = [:]
    private var produced = 0
    private var completed = 0
    private var finished = false
    private var failure: (any Error)?
    private let consumers: Int
    private let depth: Int

    /// A pipeline for `consumers` consumers, holding at most `depth` batches not yet consumed by all of them.
    init(consumers: Int, depth: Int) {
        self.consumers = consumers
        self.depth = depth
    }

    /// Adds the next batch, waiting while `depth` batches are pending; false once the pipeline failed.
    func push(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while produced - completed >= depth && failure == nil { condition.wait() }
        guard failure == nil else { return false }
        batches[produced] = batch
        remaining[produced] = consumers
        produced += 1
        condition.broadcast()
        return true
    }

    /// No more batches will be pushed.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Batch number `index`, waiting for the reader if needed; nil once there are no more or the pipeline failed.
    func batch(_ index: Int) -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while index >= produced && !finished && failure == nil { condition.wait() }
        guard failure == nil, index < produced else { return nil }
        return batches[index]
    }

    /// A consumer is done with batch `index`; returns true if it was the last one to be (the batch is then dropped).
    @discardableResult
    func done(_ index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        remaining[index]! -= 1
        guard remaining[index] == 0 else { return false }
        remaining[index] = nil
        batches[index] = nil
        completed += 1
        condition.broadcast()
        return true
    }

    /// Whether the pipeline failed.
    var hasFailed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure != nil
    }

    /// Stops the pipeline with `error` (the first error is kept).
    func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every pushed batch was consumed by every consumer, or the pipeline failed; throws the failure.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while completed < produced && failure == nil { condition.wait() }
        if let failure { throw failure }
    }
}
