import Foundation
import LMDB

/// The single writer: runs queued commands on one thread, many per LMDB write transaction (group commit), each in
/// its own nested transaction so that a failing command is rolled back alone; then commits once (one fsync) and
/// only then acknowledges every caller of the batch.
/// `@unchecked Sendable`: its queue and flags are guarded by `condition`; the rest is immutable or touched only by the writer thread.
final class GroupCommitter: @unchecked Sendable {
    /// A queued command. `run` executes it inside the batch and returns how to answer its caller once the batch
    /// has committed (or failed).
    struct Job {
        /// Throws only what must abort the whole batch: a full (or externally resized) map, after which the batch
        /// runs again in a grown map.
        let run: (Transaction, inout LogHead, Timestamp) throws -> (_ commitError: (any Error)?) -> Void
        let fail: (any Error) -> Void
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private var thread: Thread?
    private let environment: Environment
    private let tables: LogTables
    private let projections: [any Projection]
    private let databases: [String: Database]
    private let clock: any Clock
    private let maxBatch: Int
    private let maxQueued: Int
    private let finished = DispatchSemaphore(value: 0)
    /// Commits and commands so far (commits < commands shows group commit at work).
    private(set) var statistics = EventStore.Statistics()

    init(
        environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database],
        clock: any Clock, maxBatch: Int, maxQueued: Int
    ) {
        self.environment = environment
        self.databases = databases
        self.tables = tables
        self.projections = projections
        self.clock = clock
        self.maxBatch = maxBatch
        self.maxQueued = maxQueued
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "eventlog-writer"
        self.thread = thread
        thread.start()
    }

    func submit(_ job: Job) {
        condition.lock()
        if stopped {
            condition.unlock()
            job.fail(EventStoreError.closed)
            return
        }
        if queue.count >= maxQueued {
            condition.unlock()
            job.fail(EventStoreError.overloaded)
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Stops accepting work, finishes what is queued, and waits for the writer thread to end.
    func stop() {
        condition.lock()
        let wasStopped = stopped
        stopped = true
        condition.signal()
        condition.unlock()
        if !wasStopped { finished.wait() }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty && stopped {
                condition.unlock()
                finished.signal()
                return
            }
            let count = min(queue.count, maxBatch)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            condition.unlock()
            commit(batch)
        }
    }

    private func commit(_ batch: [Job]) {
        var answers: [(_ commitError: (any Error)?) -> Void] = []
        do {
            try environment.write { txn in
                answers.removeAll(keepingCapacity: true)
                var head = try LogHead.read(txn, tables)
                let before = head.seq
                let now = clock.now()
                for job in batch {
                    answers.append(try job.run(txn, &head, now))
                }
                if head.seq != before {
                    try txn.put(tables.meta, key: LogTables.headKey, value: head.encoded)
                    let checkpoint = EventCodec.seqKey(head.seq)
                    for projection in projections {
                        try txn.put(tables.meta, key: projection.checkpointKey, value: checkpoint)
                    }
                }
            }
        } catch {
            for (index, job) in batch.enumerated() {
                if index < answers.count { answers[index](error) } else { job.fail(error) }
            }
            return
        }
        condition.lock()
        statistics.commits += 1
        statistics.commands += UInt64(batch.count)
        condition.unlock()
        for answer in answers { answer(nil) }
    }

    /// A consistent copy of the counters.
    func currentStatistics() -> EventStore.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Builds a job for `body`, delivering its result through `completion`.
    func makeJob<R>(
        _ body: @escaping (inout CommandContext) throws -> R, completion: @escaping (Result<R, any Error>) -> Void
    ) -> Job {
        let tables = self.tables
        let projections = self.projections
        let databases = self.databases
        return Job(
            run: { txn, head, now in
                do {
                    let startHead = head
                    let (value, newHead) = try txn.nested { child -> (R, LogHead) in
                        var context = CommandContext(
                            now: now, txn: child, tables: tables, projections: projections, databases: databases, head: startHead)
                        let value = try body(&context)
                        return (value, context.head)
                    }
                    head = newHead
                    return { commitError in
                        if let commitError { completion(.failure(commitError)) } else { completion(.success(value)) }
                    }
                } catch let error as LMDBError where error == .mapFull || error == .mapResized {
                    // Not this command's failure: the map must grow and the batch run again.
                    throw error
                } catch {
                    return { _ in completion(.failure(error)) }
                }
            },
            fail: { completion(.failure($0)) })
    }
}
