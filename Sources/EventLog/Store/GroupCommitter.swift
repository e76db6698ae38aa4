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
    /// The shared log this environment replicates, if any (the PostgreSQL engine).
    private let shared: (any SharedLog)?
    /// Whether a catch-up (``requestCatchUp(waiter:)``) waits in the queue (guarded by `condition`).
    private var catchUpQueued = false
    /// Callers waiting for the next catch-up to start and finish (guarded by `condition`).
    private var catchUpWaiters: [UnsafeContinuation<Void, any Error>] = []
    private let finished = DispatchSemaphore(value: 0)
    /// Commits and commands so far (commits < commands shows group commit at work).
    private(set) var statistics = EventStore.Statistics()

    init(
        environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database],
        clock: any Clock, sealerSlot: RequestSealerSlot, maxBatch: Int, maxQueued: Int, shared: (any SharedLog)?
    ) {
        self.shared = shared
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

    /// Queues a catch-up with the shared log unless one is queued already (every batch catches up first, so one
    /// waiting is enough): called by the shared log's follower when another node may have committed, and by readers
    /// that missed (`waiter`, resumed once a catch-up that started after this call has finished). However many
    /// readers miss at once, the writer runs one catch-up for them.
    func requestCatchUp(waiter: UnsafeContinuation<Void, any Error>? = nil) {
        condition.lock()
        if stopped {
            condition.unlock()
            waiter?.resume(throwing: EventStoreError.closed)
            return
        }
        if let waiter { catchUpWaiters.append(waiter) }
        if !catchUpQueued {
            catchUpQueued = true
            queue.append(CatchUpJob())
            condition.signal()
        }
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
            if let catchUp = batch.first(where: \.isCatchUp) as? CatchUpJob {
                // The callers waiting now are answered by this batch, which catches up after this point.
                catchUpQueued = false
                catchUp.waiters = catchUpWaiters
                catchUpWaiters = []
            }
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
        // Set once the shared log holds this batch: an LMDB transaction run again after that (the map grew at
        // commit) only applies the batch's own commit from the shared log instead of running the commands again.
        var sharedCommitted = false
        let catchUpOnly = batch.allSatisfy(\.isCatchUp)
        while true {
            do {
                try environment.write { txn in
                    guard let shared else { return try run(batch, in: txn) }
                    if sharedCommitted || catchUpOnly {
                        try Replica.catchUp(txn, tables, shared)
                        try checkProjectionsCurrent(txn)
                        return
                    }
                    do {
                        try runShared(batch, in: txn, shared: shared, committed: &sharedCommitted)
                    } catch {
                        shared.rollback()
                        throw error
                    }
                }
            } catch is PartialCommand {
                continue  // aborted: run the batch again without the command that failed half-way
            } catch {
                failure = error
            }
            break
        }
        if failure == nil && !catchUpOnly {
            condition.lock()
            statistics.commits += 1
            statistics.commands += UInt64(batch.count(where: { !$0.isCatchUp }))
            condition.unlock()
        }
        for job in batch { job.answer(commitError: failure) }
    }

    /// Runs the batch's commands in `txn` and moves the head and the checkpoints.
    private func run(_ batch: [CommitJob], in txn: Transaction) throws {
        for job in batch { job.reset() }
        var context = CommitBatch(
            txn: txn, tables: tables, router: router,
            state: ProjectionState(.live(txn, databases)), head: try LogHead.read(txn, tables), now: clock.now(),
            sealer: sealerSlot.sealer)
        let before = context.head.seq
        for job in batch where job.excluded == nil && !job.isCatchUp {
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

    /// Runs the batch against the shared log: locks its head, applies the commits of other nodes, runs the
    /// commands with their writes recorded, and commits the write set to the shared log (the point of
    /// durability); the caller's LMDB transaction commits after. A batch that wrote nothing commits nothing.
    private func runShared(_ batch: [CommitJob], in txn: Transaction, shared: any SharedLog, committed: inout Bool) throws {
        let locked = try shared.lock()
        let local = try Replica.catchUp(txn, tables, shared)
        let replicaHead = try LogHead.read(txn, tables)
        guard local == locked.commit, replicaHead == locked.head else {
            throw EventStoreError.diverged(
                "the shared log's head is commit \(locked.commit) at \(locked.head), this replica's commit \(local) at \(replicaHead)")
        }
        try checkProjectionsCurrent(txn)
        let recorder = WriteRecorder()
        txn.recorder = recorder
        defer { txn.recorder = nil }
        try run(batch, in: txn)
        txn.recorder = nil
        guard recorder.count > 0 else {
            shared.rollback()
            return
        }
        let number = local + 1
        try shared.commit(SharedCommit(number: number, head: try LogHead.read(txn, tables), writes: recorder.bytes))
        committed = true
        try Replica.setCommit(number, txn, tables)
    }

    /// After applying other nodes' commits: every projection of this node must be at the head. One that is not was
    /// not maintained by the node that committed (it runs other projection versions), and its tables here would go
    /// stale without a word: refused instead (all nodes run the same version; docs/DEPLOYMENT.md).
    private func checkProjectionsCurrent(_ txn: Transaction) throws {
        let head = try LogHead.read(txn, tables)
        let expected = EventCodec.seqKey(head.seq)
        for key in checkpointKeys where head.seq > 0 {
            guard let checkpoint = try txn.get(tables.meta, key: key), checkpoint == expected else {
                throw EventStoreError.diverged(
                    "\(String(decoding: key, as: UTF8.self)) is behind the head \(head.seq) after applying other nodes' commits: "
                        + "they run other projection versions than this node")
            }
        }
    }

    /// A consistent copy of the counters.
    func currentStatistics() -> EventStore.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }
}
