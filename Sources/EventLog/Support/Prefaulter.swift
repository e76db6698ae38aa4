#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Faults in the pages of a rebuild's big tables before the fold first writes them, on a thread that runs only when a
/// core would otherwise idle.
///
/// A fresh page costs its first writer a fault and a zeroing, and on a virtual machine the host may first have to
/// back it: 1.2 GB of tables took 2.7 CPU-seconds of `clear_page` in a 10 M-event rebuild, in bursts of up to a
/// third of a second in one folding thread, which stalled the whole pipeline behind it. This thread walks the
/// blocks ahead of the fold with `MADV_POPULATE_WRITE`, which faults pages in writable without touching their
/// bytes, so it cannot disturb a concurrent writer; whichever of the two comes first faults a page in. It runs under
/// `SCHED_IDLE`, so it takes no time from the fold's threads, only the moments when they wait on each other.
///
/// Linux only; elsewhere (and on a kernel without `MADV_POPULATE_WRITE`) it does nothing.
final class Prefaulter: @unchecked Sendable {
    /// One block: the address range is only advised, never read or written, so a block freed meanwhile (a table
    /// that grew) costs a failed `madvise`, nothing else.
    struct Region: @unchecked Sendable {
        let start: UnsafeMutableRawPointer
        let length: Int
    }

    /// Bytes advised per call: one huge page, so that the thread holds the address space's lock only briefly.
    static let step = 2 << 20

    private let thread = JoinableThreads()
    private let lock = NSLock()
    private var stopping = false
    private var bytesDone = 0

    /// Starts faulting in `phases` in order; within a phase, the regions advance together, each in proportion to
    /// its length (tables fill at about the same pace through the log).
    init(phases: [[Region]]) {
        #if os(Linux)
        let phases = phases.map { $0.filter { $0.length >= Self.step } }.filter { !$0.isEmpty }
        guard !phases.isEmpty else { return }
        thread.start("rebuild-prefault") { [self] in
            var parameters = sched_param()
            // SCHED_IDLE (5 in Linux's ABI; not exported by Glibc's Swift module).
            _ = pthread_setschedparam(pthread_self(), 5, &parameters)
            for phase in phases where !run(phase) { return }
        }
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

    /// Advises `regions` step by step, always advancing the one least advanced in proportion; false once stopped
    /// or if the kernel refuses the advice (nothing to gain from going on).
    private func run(_ regions: [Region]) -> Bool {
        #if os(Linux)
        var done = [Int](repeating: 0, count: regions.count)
        while true {
            var next = -1
            var least = Double.infinity
            for (index, region) in regions.enumerated() where done[index] < region.length {
                let fraction = Double(done[index]) / Double(region.length)
                if fraction < least { (least, next) = (fraction, index) }
            }
            guard next >= 0 else { return true }
            if lock.withLock({ stopping }) { return false }
            let length = min(Self.step, regions[next].length - done[next])
            if madvise(regions[next].start + done[next], length, MADV_POPULATE_WRITE) != 0, errno == EINVAL { return false }
            done[next] += length
            lock.withLock { bytesDone += length }
        }
        #else
        return false
        #endif
    }
}
