import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source of time for events, expiry and waiting periods. Injected everywhere so tests can drive time.
public protocol Clock: Sendable {
    /// The current time.
    func now() -> Timestamp
}

/// The real wall clock (`CLOCK_REALTIME`).
public struct SystemClock: Clock {
    /// Creates the system clock.
    public init() {}

    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}

/// A clock that only moves when told to: for tests and for deterministic benchmarks.
public final class ManualClock: Clock {
    private let current: Mutex<Timestamp>

    /// Creates a clock standing at `start`.
    public init(_ start: Timestamp = Timestamp(seconds: 1_767_225_600)) { current = Mutex(start) }

    public func now() -> Timestamp { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(seconds: Int64) { current.withLock { $0 = $0.adding(seconds: seconds) } }

    /// Moves the clock forward by `microseconds`.
    public func advance(microseconds: Int64) { current.withLock { $0.microseconds += microseconds } }

    /// Sets the clock.
    public func set(_ time: Timestamp) { current.withLock { $0 = time } }
}
