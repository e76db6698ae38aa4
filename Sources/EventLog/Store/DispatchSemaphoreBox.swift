import Dispatch

/// A semaphore (kept in one place so the store's files need not import Dispatch).
struct DispatchSemaphoreBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait() { semaphore.wait() }
}
