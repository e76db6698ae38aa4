import Foundation
import LMDB

/// The single writer: runs queued commands on one thread, many per LMDB write transaction (group commit), each
/// directly in that transaction (a command that fails half-way makes the batch run again without it, so it is
/// rolled back alone); then commits once (one fsync) and only then acknowledges every caller of the batch.
/// `@unchecked Sendable`: its queue and flags are guarded by `condition`; the rest is immutable or touched only by the writer thread.
final class GroupCommitter: @unchecked Sendable {
    /// A queued command. `run` executes it inside the batch and returns how to answer its caller once the batch
    /// has committed (or failed).
    struct Job {
        /// Throws only what must abort the whole attempt: a full (or externally resized) map, after which the batch
        /// runs again in a grown map, or ``PartialCommand``, after which it runs again without that command.
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
    private let sealerSlot: RequestSealerSlot
    private let maxBatch: Int
    private let maxQueued: Int
    private let finished = DispatchSemaphore(value: 0)
    /// Commits and commands so far (commits < commands shows group commit at work).
    private(set) var statistics = EventStore.Statistics()

    init(
        environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database],
        clock: any Clock, sealerSlot: RequestSealerSlot, maxBatch: Int, maxQueued: Int
    ) {
        self.sealerSlot = sealerSlot
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

    /// A command that failed after it had written: the batch's transaction is aborted and run again without it.
    struct PartialCommand: Error {
        let error: any Error
    }

    /// Runs the batch in one write transaction and commits it. Commands run directly in that transaction (no nested
    /// transaction per command): one that fails before writing anything is answered with its error and the batch
    /// goes on; one that fails after writing (rare: an error half-way through its events) aborts the attempt, and the
    /// batch runs again without it, so it is rolled back alone.
    private func commit(_ batch: [Job]) {
        var answers: [Int: (_ commitError: (any Error)?) -> Void] = [:]
        var excluded: [Int: any Error] = [:]
        while true {
            do {
                try environment.write { txn in
                    answers.removeAll(keepingCapacity: true)
                    var head = try LogHead.read(txn, tables)
                    let before = head.seq
                    let now = clock.now()
                    for (index, job) in batch.enumerated() where excluded[index] == nil {
                        do {
                            answers[index] = try job.run(txn, &head, now)
                        } catch let partial as PartialCommand {
                            excluded[index] = partial.error
                            throw partial
                        }
                    }
                    if head.seq != before {
                        try txn.put(tables.meta, key: LogTables.headKey, value: head.encoded)
                        let checkpoint = EventCodec.seqKey(head.seq)
                        for projection in projections {
                            try txn.put(tables.meta, key: projection.checkpointKey, value: checkpoint)
                        }
                    }
                }
            } catch is PartialCommand {
                continue  // aborted: run the batch again without the command that failed half-way
            } catch {
                for (index, job) in batch.enumerated() {
                    if let excludedError = excluded[index] {
                        job.fail(excludedError)
                    } else if let answer = answers[index] {
                        answer(error)
                    } else {
                        job.fail(error)
                    }
                }
                return
            }
            break
        }
        condition.lock()
        statistics.commits += 1
        statistics.commands += UInt64(batch.count)
        condition.unlock()
        for (index, job) in batch.enumerated() {
            if let excludedError = excluded[index] { job.fail(excludedError) } else { answers[index]?(nil) }
        }
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
        let sealerSlot = self.sealerSlot
        return Job(
            run: { txn, head, now in
                let writesBefore = txn.writes
                do {
                    var context = CommandContext(
                        now: now, txn: txn, tables: tables, projections: projections, databases: databases, head: head,
                        sealer: sealerSlot.sealer)
                    let value = try body(&context)
                    head = context.head
                    return { commitError in
                        if let commitError { completion(.failure(commitError)) } else { completion(.success(value)) }
                    }
                } catch let error as LMDBError where error == .mapFull || error == .mapResized {
                    // Not this command's failure: the map must grow and the batch run again.
                    throw error
                } catch {
                    // Refused before writing anything: nothing to roll back. Else the batch runs again without it.
                    guard txn.writes == writesBefore else { throw PartialCommand(error: error) }
                    return { _ in completion(.failure(error)) }
                }
            },
            fail: { completion(.failure($0)) })
    }
}
