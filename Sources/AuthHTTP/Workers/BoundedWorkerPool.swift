import Dispatch
import Foundation
import Metrics
import Synchronization

/// Runs CPU-heavy blocking work (argon2 hashing) on dedicated threads, off Swift concurrency's
/// cooperative pool, with a bounded queue.
///
/// ``run(_:)`` hands a closure to one of ``threadCount`` threads and suspends until it finishes. If
/// ``queueLimit`` jobs are already waiting, it throws ``Saturated`` at once instead of queueing; that
/// error is ``ProblemConvertible`` (503 with `Retry-After`), so a route can just let it propagate.
///
/// ```swift
/// let pool = BoundedWorkerPool(threads: 2, queueLimit: 32)
/// let hash = try await pool.run { try Argon2.hash(password, ...) }
/// ```
///
/// A job that has started runs to completion even if the awaiting task is cancelled.
///
/// With a `metricsPool` name, the pool reports `authd_worker_queue_length{pool}` (jobs waiting, a gauge) and
/// `authd_worker_rejections_total{pool}` (submissions refused with ``Saturated``, i.e. 503s) through swift-metrics.
public final class BoundedWorkerPool: Sendable {
    /// Thrown by ``submit(_:)`` and ``run(_:)`` when the queue is full.
    public struct Saturated: Error, ProblemConvertible, Equatable, Sendable {
        /// Seconds a client should wait before retrying.
        public let retryAfter: Int
        /// Creates the error.
        public init(retryAfter: Int) { self.retryAfter = retryAfter }
        /// 503 with `Retry-After`.
        public var problem: Problem { .overloaded(retryAfter: retryAfter) }
    }

    /// Thrown by ``submit(_:)`` and ``run(_:)`` after ``shutdown()``.
    public struct ShutDown: Error, ProblemConvertible, Equatable, Sendable {
        /// Creates the error.
        public init() {}
        /// 503: the server is stopping.
        public var problem: Problem { Problem(status: .serviceUnavailable, detail: "the server is shutting down") }
    }

    /// A queued job: runs the work and returns what to do once the thread is counted free again.
    private typealias Job = @Sendable () -> (@Sendable () -> Void)

    private struct State {
        var queue: [Job] = []
        var head = 0
        var running = 0
        var isShutDown = false

        var waiting: Int { queue.count - head }

        mutating func pop() -> Job? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            head += 1
            if head > 64 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    /// State shared with the threads (which must not keep the pool itself alive).
    private final class Shared: Sendable {
        let state = Mutex(State())
        /// Counts queued jobs plus shutdown wake-ups; each thread waits on it.
        let available = DispatchSemaphore(value: 0)
        /// Jobs waiting, when the pool reports metrics.
        let queueLength: Gauge?
        /// Submissions refused because the queue was full, when the pool reports metrics.
        let rejections: Counter?

        init(metricsPool: String?) {
            queueLength = metricsPool.map { Gauge(label: "authd_worker_queue_length", dimensions: [("pool", $0)]) }
            rejections = metricsPool.map { Counter(label: "authd_worker_rejections_total", dimensions: [("pool", $0)]) }
        }
    }

    /// The number of worker threads.
    public let threadCount: Int
    /// The most jobs that may wait for a thread; beyond that, submissions throw ``Saturated``.
    public let queueLimit: Int
    /// The `Retry-After` seconds reported by ``Saturated``.
    public let retryAfter: Int

    private let shared: Shared

    /// Starts the pool's threads.
    /// - Parameters:
    ///   - threads: worker threads; defaults to the number of active cores.
    ///   - queueLimit: jobs that may wait beyond those running (0: none wait).
    ///   - retryAfter: seconds to suggest when saturated.
    ///   - name: thread name prefix.
    ///   - metricsPool: the `pool` label of the pool's metrics; `nil` (the default): no metrics.
    public init(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        queueLimit: Int = 64,
        retryAfter: Int = 1,
        name: String = "authd-worker",
        metricsPool: String? = nil
    ) {
        precondition(threads > 0 && queueLimit >= 0 && retryAfter > 0)
        self.shared = Shared(metricsPool: metricsPool)
        self.threadCount = threads
        self.queueLimit = queueLimit
        self.retryAfter = retryAfter
        for number in 0..<threads {
            let threadName = "\(name)-\(number)"
            let thread = Thread { [shared] in
                // Best effort: on Linux a name set before `start()` does not reach the OS thread.
                Thread.current.name = threadName
                Thread.current.threadDictionary[Self.workerMarker] = threadName
                Self.work(shared)
            }
            thread.start()
        }
    }

    deinit {
        shutdown()
    }

    /// Queues `job` for a worker thread, or throws at once.
    /// - Throws: ``Saturated`` if ``queueLimit`` jobs are already waiting; ``ShutDown`` after ``shutdown()``.
    public func submit(_ job: @escaping @Sendable () -> Void) throws {
        try enqueue {
            job()
            return {}
        }
    }

    /// Queues `job`; the closure it returns runs after the job's thread is counted free, so a caller
    /// resumed by it can immediately reuse the capacity.
    private func enqueue(_ job: @escaping Job) throws {
        let limit = queueLimit
        let retry = retryAfter
        let waiting: Int
        do {
            waiting = try shared.state.withLock { state throws in
                if state.isShutDown { throw ShutDown() }
                // At most one job per thread runs; up to `queueLimit` more may wait.
                if state.running + state.waiting >= threadCount + limit { throw Saturated(retryAfter: retry) }
                state.queue.append(job)
                return state.waiting
            }
        } catch let error as Saturated {
            shared.rejections?.increment()
            throw error
        }
        shared.queueLength?.record(waiting)
        shared.available.signal()
    }

    /// Runs `work` on a worker thread and returns its result (or rethrows its error).
    /// - Throws: ``Saturated`` if the queue is full, ``ShutDown`` after ``shutdown()``,
    ///   `CancellationError` if the task is already cancelled, or whatever `work` throws.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            do {
                try enqueue {
                    let result = Result { try work() }
                    return { continuation.resume(with: result) }
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Whether the calling code runs on a thread of some `BoundedWorkerPool` (for assertions such as
    /// "argon2 never runs on the cooperative pool").
    public static var isWorkerThread: Bool {
        Thread.current.threadDictionary[workerMarker] != nil
    }

    private static let workerMarker = "AuthHTTP.BoundedWorkerPool.worker"

    /// Jobs waiting for a thread.
    public var waitingCount: Int { shared.state.withLock { $0.waiting } }
    /// Jobs running now.
    public var runningCount: Int { shared.state.withLock { $0.running } }

    /// Stops accepting jobs; queued jobs still run, then the threads exit. Idempotent.
    public func shutdown() {
        let first = shared.state.withLock { state in
            defer { state.isShutDown = true }
            return !state.isShutDown
        }
        guard first else { return }
        for _ in 0..<threadCount { shared.available.signal() }
    }

    /// A worker thread's loop.
    private static func work(_ shared: Shared) {
        while true {
            shared.available.wait()
            let (next, waiting): (Job??, Int) = shared.state.withLock { state in
                if let job = state.pop() {
                    state.running += 1
                    return (.some(job), state.waiting)
                }
                return (state.isShutDown ? .none : .some(nil), state.waiting)
            }
            shared.queueLength?.record(waiting)
            switch next {
            case .none:
                return
            case .some(nil):
                continue
            case .some(let job?):
                let completion = job()
                shared.state.withLock { $0.running -= 1 }
                completion()
            }
        }
    }
}
