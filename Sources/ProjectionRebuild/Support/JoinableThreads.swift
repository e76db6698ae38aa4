import Dispatch
import Foundation
import EventLog

/// Threads of a rebuild that the caller waits for: Foundation's `Thread` cannot be joined, so each thread signals a
/// semaphore when its body returns, and ``join()`` waits for as many signals as threads were started.
///
/// Sendable by contract: ``start(_:_:)`` and ``join()`` are called by the owning thread only.
final class JoinableThreads: @unchecked Sendable {
    private let exited = DispatchSemaphore(value: 0)
    private var running = 0

    /// Starts a thread named `name` running `body`.
    func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [exited] in
            body()
            exited.signal()
        }
        thread.name = name
        running += 1
        thread.start()
    }

    /// Waits until every thread started so far has returned (at once if none is left).
    func join() {
        while running > 0 {
            exited.wait()
            running -= 1
        }
    }
}
