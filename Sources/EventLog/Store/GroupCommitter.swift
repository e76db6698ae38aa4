import Foundation
import LMDB

/// The single writer: runs queued commands on one thread, many per LMDB write transaction (group commit), each
/// directly in that transaction (a command that fails half-way makes the batch run again without it, so it is
/// rolled back alone); then commits once (one fsync) and only then acknowledges every caller of the batch.
/// `@unchecked Sendable`: its queue and flags are guarded by `condition`; the rest is immutable or touched only by the writer thread.
final class GroupCommitter: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [CommitJob] = []
    private var stopped = false
    private var thread: Thread?
    private let environment: Environment
    private let tables: LogTables
    /// Each projection's checkpoint key in `meta`, made once.
    private let checkpointKeys: [[UInt8]]
    /// The projections of each event type (writer thread only).
    private let router: ProjectionRouter
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
        self.checkpointKeys = projections.map(\.checkpointKey)
        self.router = ProjectionRouter(projections)
        self.clock = clock
        self.maxBatch = maxBatch
        self.maxQueued = maxQueued
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "eventlog-writer"
        self.thread = thread
        thread.start()
    }

    func submit(_ job: CommitJob) {
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
    /// transaction per command) and share one projection state (tables resolved once per batch): one that fails
    /// before writing anything keeps its error and the batch goes on; one that fails after writing (rare: an error
    /// half-way through its events) aborts the attempt, and the batch runs again without it, so it is rolled back
    /// alone. Callers are answered after the commit, each directly from its job.
    private func commit(_ batch: [CommitJob]) {
        var failure: (any Error)?
        while true {
            do {
                try environment.write { txn in
                    for job in batch { job.reset() }
                    var context = CommitBatch(
                        txn: txn, tables: tables, router: router,
                        state: ProjectionState(.live(txn, databases)), head: try LogHead.read(txn, tables), now: clock.now(),
                        sealer: sealerSlot.sealer)
                    let before = context.head.seq
                    for job in batch where job.excluded == nil {
                        try job.run(&context)
                    }
                    let head = context.head
                    if head.seq != before {
                        try txn.put(tables.meta, key: LogTables.headKey, value: head.encoded)
                        let checkpoint = EventCodec.seqKey(head.seq)
                        for key in checkpointKeys {
                            try txn.put(tables.meta, key: key, value: checkpoint)
                        }
                    }
                }
            } catch is PartialCommand {
                continue  // aborted: run the batch again without the command that failed half-way
            } catch {
                failure = error
            }
            break
        }
        if failure == nil {
            condition.lock()
            statistics.commits += 1
            statistics.commands += UInt64(batch.count)
            condition.unlock()
        }
        for job in batch { job.answer(commitError: failure) }
    }

    /// A consistent copy of the counters.
    func currentStatistics() -> EventStore.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }
}
