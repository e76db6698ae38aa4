import Synchronization

/// An in-memory token-bucket rate limiter keyed by string (an account id, an IP address, ...).
///
/// Each key has a bucket of ``capacity`` tokens, refilled continuously at ``refillPerSecond``; each
/// ``consume(_:cost:)`` takes `cost` tokens or reports how long until it could. Time comes from the
/// injected `now` closure (seconds, monotonic), so tests drive it by hand.
///
/// Memory is bounded: at most ``maxKeys`` buckets are kept. When a new key would exceed that, buckets
/// that are full again (idle: forgetting them changes nothing) are dropped first, then the least
/// recently used ones. The state sits behind a `Mutex`; every method is thread-safe.
///
/// ``shouldRecordThrottle(_:)`` answers `true` at most once per key per ``throttleRecordWindow``, so a
/// flood of refused attempts records at most one `login.throttled` event per key per window.
public final class TokenBucketLimiter: Sendable {
    /// The outcome of ``consume(_:cost:)``.
    public enum Decision: Sendable, Equatable {
        /// The tokens were taken.
        case allowed
        /// Not enough tokens; `retryAfter` whole seconds (at least 1) until there will be.
        case limited(retryAfter: Int)

        /// Whether the request may proceed.
        public var isAllowed: Bool { self == .allowed }
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
        var lastSeen: Double
        var lastThrottleRecord: Double?
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
    }

    /// Tokens a bucket holds when full (the burst size).
    public let capacity: Double
    /// Tokens added per second.
    public let refillPerSecond: Double
    /// The most buckets kept at once.
    public let maxKeys: Int
    /// Seconds during which ``shouldRecordThrottle(_:)`` answers `true` at most once per key.
    public let throttleRecordWindow: Double

    private let now: @Sendable () -> Double
    private let state = Mutex(State())

    /// Creates a limiter.
    /// - Parameters:
    ///   - capacity: burst size, in tokens (> 0).
    ///   - refillPerSecond: refill rate (> 0); e.g. `5.0 / 60` for 5 per minute.
    ///   - maxKeys: the most keys tracked at once (> 0).
    ///   - throttleRecordWindow: the once-per-window period of ``shouldRecordThrottle(_:)``, in seconds.
    ///   - now: the clock, in seconds; monotonic by default.
    public init(
        capacity: Double,
        refillPerSecond: Double,
        maxKeys: Int = 100_000,
        throttleRecordWindow: Double = 60,
        now: @escaping @Sendable () -> Double = TokenBucketLimiter.monotonicNow
    ) {
        precondition(capacity > 0 && refillPerSecond > 0 && maxKeys > 0 && throttleRecordWindow >= 0)
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.maxKeys = maxKeys
        self.throttleRecordWindow = throttleRecordWindow
        self.now = now
    }

    /// Takes `cost` tokens from `key`'s bucket if it has them.
    /// - Returns: `.allowed`, or `.limited(retryAfter:)` with the whole seconds (rounded up, at least 1)
    ///   until the bucket will hold `cost` tokens. A refused attempt takes nothing.
    public func consume(_ key: String, cost: Double = 1) -> Decision {
        precondition(cost > 0, "cost must be positive")
        let time = now()
        return state.withLock { state in
            var bucket = bucketForUpdate(key, at: time, in: &state)
            defer { state.buckets[key] = bucket }
            if bucket.tokens >= cost {
                bucket.tokens -= cost
                return .allowed
            }
            let needed = min(cost, capacity) - bucket.tokens
            let seconds = (needed / refillPerSecond).rounded(.up)
            return .limited(retryAfter: max(1, Int(min(seconds, Double(Int32.max)))))
        }
    }

    /// Whether the caller should record a "throttled" event for `key` now: `true` the first time
    /// within each ``throttleRecordWindow`` (and then starts a new window), `false` otherwise.
    public func shouldRecordThrottle(_ key: String) -> Bool {
        let time = now()
        return state.withLock { state in
            var bucket = bucketForUpdate(key, at: time, in: &state)
            defer { state.buckets[key] = bucket }
            if let last = bucket.lastThrottleRecord, time - last < throttleRecordWindow {
                return false
            }
            bucket.lastThrottleRecord = time
            return true
        }
    }

    /// The tokens `key` has now (``capacity`` for an unknown key).
    public func availableTokens(_ key: String) -> Double {
        let time = now()
        return state.withLock { state in
            guard let bucket = state.buckets[key] else { return capacity }
            return refilled(bucket, at: time).tokens
        }
    }

    /// Forgets `key` (for example after a successful login).
    public func reset(_ key: String) {
        _ = state.withLock { $0.buckets.removeValue(forKey: key) }
    }

    /// How many keys are tracked.
    public var trackedKeyCount: Int {
        state.withLock { $0.buckets.count }
    }

    /// Seconds on a monotonic clock (since the first call in this process).
    @Sendable public static func monotonicNow() -> Double {
        let elapsed = monotonicOrigin.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }

    private static let monotonicOrigin = ContinuousClock.now

    // MARK: Internals (called with the lock held)

    private func refilled(_ bucket: Bucket, at time: Double) -> Bucket {
        var bucket = bucket
        let elapsed = max(0, time - bucket.updatedAt)
        bucket.tokens = min(capacity, bucket.tokens + elapsed * refillPerSecond)
        bucket.updatedAt = max(bucket.updatedAt, time)
        return bucket
    }

    /// The refilled bucket for `key` (a full new one if unknown), making room for it if needed.
    private func bucketForUpdate(_ key: String, at time: Double, in state: inout State) -> Bucket {
        var bucket: Bucket
        if let existing = state.buckets[key] {
            bucket = refilled(existing, at: time)
        } else {
            if state.buckets.count >= maxKeys {
                evict(at: time, in: &state)
            }
            bucket = Bucket(tokens: capacity, updatedAt: time, lastSeen: time, lastThrottleRecord: nil)
        }
        bucket.lastSeen = time
        return bucket
    }

    /// Drops idle buckets (full again, no open throttle-record window); if that frees no room, drops
    /// the least recently used eighth.
    private func evict(at time: Double, in state: inout State) {
        state.buckets = state.buckets.filter { _, bucket in
            let full = refilled(bucket, at: time).tokens >= capacity
            let windowOpen = bucket.lastThrottleRecord.map { time - $0 < throttleRecordWindow } ?? false
            return !full || windowOpen
        }
        if state.buckets.count >= maxKeys {
            evictLeastRecentlyUsed(in: &state)
        }
    }

    private func evictLeastRecentlyUsed(in state: inout State) {
        let excess = state.buckets.count - maxKeys + 1
        let count = max(excess, maxKeys / 8, 1)
        let oldest = state.buckets.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(count)
        for (key, _) in oldest {
            state.buckets.removeValue(forKey: key)
        }
    }
}
