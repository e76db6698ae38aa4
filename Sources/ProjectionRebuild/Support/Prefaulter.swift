#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import EventLog

/// Faults in the pages of a rebuild's big tables before the fold first writes them, on a thread of its own.
///
/// A fresh page costs its first writer a fault and a zeroing, and on a virtual machine the host may first have to
/// back it: 1.2 GB of tables took 2.7 CPU-seconds of `clear_page` in a 10 M-event rebuild, in bursts of up to a
/// third of a second in one folding thread, which stalled the whole pipeline behind it. This thread walks the
/// blocks ahead of the fold with `MADV_POPULATE_WRITE`, which faults pages in writable without touching their
/// bytes, so it cannot disturb a concurrent writer; whichever of the two comes first faults a page in.
///
/// It starts under `SCHED_IDLE`, so that it takes no time from the fold's threads, only the moments when they wait on
/// each other; on a busy machine it goes on at their priority: `madvise` holds the address
/// space's lock (shared) while it faults a step in, and any `mmap`, `munmap` or `brk` of another thread (a batch's
/// arrays allocated and freed) waits for it, and the page faults queued behind that; a `SCHED_IDLE` thread
/// preempted inside the call gets a core back only when one idles, and under a load of 12 on two cores a 1 M-event
/// rebuild of 3.5 CPU-seconds spent 50–100 s blocked in `brk` and `munmap`. So it leaves `SCHED_IDLE` for good the
/// first time a step takes ``starvedAfter`` and four times its own CPU time (it was kept off a core inside the call).
///
/// Each block says how far its owner has filled it (``FillMark``; a slot table, written all over from the start,
/// counts as full), and the thread always advances the block whose advised part leads its fill by the least: the
/// table that fills fastest gets its pages first.
///
/// Linux only; elsewhere (and on a kernel without `MADV_POPULATE_WRITE`) it does nothing.
/// `@unchecked Sendable`: its shared state is guarded by its lock; the thread it starts reads atomics and immutable regions.
final class Prefaulter: @unchecked Sendable {
    /// How far a table's owner has filled a block, in bytes from its start: published by the thread that fills it
    /// (at most once per ``Prefaulter/step``), read by the prefaulter.
    final class FillMark: Sendable {
        private let bytes = Atomic<Int>(0)

        init() {}

        /// Publishes that the block is filled up to `filled` bytes.
        func publish(_ filled: Int) { bytes.store(filled, ordering: .relaxed) }

        /// The last published fill.
        var filled: Int { bytes.load(ordering: .relaxed) }
    }

    /// One block: the address range is only advised, never read or written, so a block freed meanwhile (a table
    /// that grew) costs a failed `madvise`, nothing else.
    struct Region: @unchecked Sendable {
        let start: UnsafeMutableRawPointer
        let length: Int
        /// How far its owner has filled it; nil: written all over at once (treated as full).
        let fill: FillMark?
    }

    /// Bytes advised per call: one huge page, so that the thread holds the address space's lock only briefly.
    static let step = 2 << 20
    /// Once every block is advised this far ahead of its fill, the thread pauses before looking again. Short: a
    /// table's arena is sized from the live table's LMDB pages with a margin, about twice the bytes it ends with, and
    /// every page advised beyond the final fill is zeroed for nothing (with a lead of 64 MiB, about 90 of the 194 MB
    /// a 1 M-event rebuild faulted in).
    static let lead = 8 << 20
    /// A step that takes this long (and four times its CPU time) was preempted inside `madvise`: see above.
    static let starvedAfter = 0.02

    private let thread = JoinableThreads()
    private let lock = NSLock()
    private var stopping = false
    private var bytesDone = 0
    private var leftIdle = false

    /// Starts faulting in `regions`.
    init(regions: [Region]) {
        #if os(Linux)
        let regions = regions.filter { $0.length >= Self.step }
        guard !regions.isEmpty else { return }
        thread.start("rebuild-prefault") { [self] in run(regions) }
        #endif
    }

    /// Stops the thread (at its next step) and waits for it; returns how many bytes it advised.
    @discardableResult
    func stop() -> Int {
        lock.withLock { stopping = true }
        return wait()
    }

    /// Waits until the thread is done with every region (or stopped); returns how many bytes it advised.
    @discardableResult
    func wait() -> Int {
        thread.join()
        return lock.withLock { bytesDone }
    }

    /// Whether the thread left `SCHED_IDLE` for the fold's priority (a step was kept off a core: a busy machine).
    var leftIdlePolicy: Bool { lock.withLock { leftIdle } }

    /// Advises `regions` step by step, always the one whose advised part leads its fill by the least, until all are
    /// advised, the prefaulter is stopped, or the kernel refuses the advice (nothing to gain from going on).
    private func run(_ regions: [Region]) {
        #if os(Linux)
        var done = [Int](repeating: 0, count: regions.count)
        var idle = true
        Self.setPolicy(Self.schedIdle)
        while !lock.withLock({ stopping }) {
            var next = -1
            var least = Int.max
            for (index, region) in regions.enumerated() where done[index] < region.length {
                let lead = done[index] - min(region.fill?.filled ?? region.length, region.length)
                if lead < least { (least, next) = (lead, index) }
            }
            guard next >= 0 else { return }
            if least >= Self.lead {
                usleep(2_000)
                continue
            }
            let length = min(Self.step, regions[next].length - done[next])
            let (wallStarted, cpuStarted) = (MonotonicClock.seconds(), CPUClock.threadSeconds())
            if madvise(regions[next].start + done[next], length, MADV_POPULATE_WRITE) != 0, errno == EINVAL { return }
            if idle {
                let wall = MonotonicClock.seconds() - wallStarted
                if wall > Self.starvedAfter, wall > 4 * (CPUClock.threadSeconds() - cpuStarted) {
                    Self.setPolicy(Self.schedOther)
                    idle = false
                    lock.withLock { leftIdle = true }
                }
            }
            done[next] += length
            lock.withLock { bytesDone += length }
        }
        #endif
    }

    /// Scheduling policies (Linux's ABI; `SCHED_IDLE` is not exported by Glibc's Swift module).
    private static let schedOther: Int32 = 0
    private static let schedIdle: Int32 = 5

    /// Sets the calling thread's scheduling policy (priority 0, the only one these policies take).
    private static func setPolicy(_ policy: Int32) {
        #if os(Linux)
        var parameters = sched_param()
        _ = pthread_setschedparam(pthread_self(), policy, &parameters)
        #endif
    }
}
