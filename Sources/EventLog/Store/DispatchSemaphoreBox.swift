import Dispatch

/// A semaphore (kept in one place so the store's files need not import Dispatch).
/// `@unchecked Sendable`: it only holds a `DispatchSemaphore`, which is thread-safe (Dispatch is not annotated).
struct DispatchSemaphoreBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait() { semaphore.wait() }
}
