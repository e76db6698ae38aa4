import EventLog
import Foundation
import LMDB
import Synchronization
import TestSupport

/// A one-shot gate a command can wait on inside the writer thread, to line up a batch deterministically.
/// The test side only polls (never blocks a cooperative thread).
final class Gate: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var hasEntered = false

    /// Called on the writer thread: marks entry and blocks until ``open()``.
    func enterAndWait() {
        lock.withLock { hasEntered = true }
        semaphore.wait()
    }

    /// Suspends until the writer has entered.
    func waitUntilEntered() async throws {
        while true {
            if lock.withLock({ hasEntered }) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Releases the writer.
    func open() { semaphore.signal() }
}

struct Refused: Error, Equatable {}
