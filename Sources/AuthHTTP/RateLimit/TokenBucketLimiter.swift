import Synchronization

/// An in-memory token-bucket rate limiter keyed by string (an account id, an IP address, ...).
///
/// Each key has a bucket of ``capacity`` tokens, refilled continuously at ``refillPerSecond``; each
/// ``consume(_:cost:)`` takes `cost` tokens or reports how long until it could. Time comes from the
/// injected `now` closure (seconds, monotonic), so tests drive it by hand.
///
/// Memory is bounded: at most ``maxKeys`` buckets are kept. When a new key would exceed that, buckets
/// that are full again (idle: forgetting them changes nothing) are dropped first. What happens when that
/// frees no room is the ``Overflow`` policy: ``Overflow/evictLeastRecentlyUsed`` drops the least recently
/// used buckets (cheap keys such as client addresses), ``Overflow/refuseNewKeys`` never drops a bucket that
/// is not full and treats the new key as limited until buckets refill (per-account buckets: a flood of
/// new keys must not reset a drained victim's bucket). The state sits behind a `Mutex`; every method is
/// thread-safe.
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

    /// What to do with a new key when every tracked bucket is still in use (not full).
    public enum Overflow: Sendable, Equatable {
        /// Drop the least recently used eighth of the buckets (their limits start over).
        case evictLeastRecentlyUsed
        /// Keep every bucket that is not full; the new key is refused (`.limited`) until enough buckets have
        /// refilled (an eighth of the table, or all of them if fewer), so a flood of keys cannot reset a limit.
        case refuseNewKeys
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
        var lastSeen: Double
        var lastThrottleRecord: Double?
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        /// ``Overflow/refuseNewKeys``: no room is looked for before this time (a full table is not rescanned
        /// for every refused key).
        var refuseNewKeysUntil: Double = -.infinity
        /// The last throttle record for keys refused because the table was full.
        var overflowThrottleRecord: Double?
    }

    /// Tokens a bucket holds when full (the burst size).
    public let capacity: Double
    /// Tokens added per second.
    public let refillPerSecond: Double
    /// The most buckets kept at once.
    public let maxKeys: Int
    /// Seconds during which ``shouldRecordThrottle(_:)`` answers `true` at most once per key.
    public let throttleRecordWindow: Double
    /// What happens to a new key when the table is full of buckets in use.
    public let overflow: Overflow

    private let now: @Sendable () -> Double
    private let state = Mutex(State())

    /// Creates a limiter.
    /// - Parameters:
    ///   - capacity: burst size, in tokens (> 0).
    ///   - refillPerSecond: refill rate (> 0); e.g. `5.0 / 60` for 5 per minute.
    ///   - maxKeys: the most keys tracked at once (> 0).
    ///   - throttleRecordWindow: the once-per-window period of ``shouldRecordThrottle(_:)``, in seconds.
    ///   - overflow: what happens to a new key when the table is full of buckets in use.
    ///   - now: the clock, in seconds; monotonic by default.
    public init(
        capacity: Double,
        refillPerSecond: Double,
        maxKeys: Int = 100_000,
        throttleRecordWindow: Double = 60,
        overflow: Overflow = .evictLeastRecentlyUsed,
        now: @escaping @Sendable () -> Double = TokenBucketLimiter.monotonicNow
    ) {
        precondition(capacity > 0 && refillPerSecond > 0 && maxKeys > 0 && throttleRecordWindow >= 0)
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.maxKeys = maxKeys
        self.throttleRecordWindow = throttleRecordWindow
        self.overflow = overflow
        self.now = now
    }

    /// Takes `cost` tokens from `key`'s bucket if it has them.
    /// - Returns: `.allowed`, or `.limited(retryAfter:)` with the whole seconds (rounded up, at least 1)
    ///   until the bucket will hold `cost` tokens. A refused attempt takes nothing. Under
    ///   ``Overflow/refuseNewKeys`` a new key that finds no room is limited until buckets refill.
    public func consume(_ key: String, cost: Double = 1) -> Decision {
        precondition(cost > 0, "cost must be positive")
        let time = now()
        return state.withLock { state in
            guard var bucket = bucketForUpdate(key, at: time, in: &state) else {
                let seconds = (state.refuseNewKeysUntil - time).rounded(.up)
                return .limited(retryAfter: max(1, Int(min(seconds, Double(Int32.max)))))
            }
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
    /// within each ``throttleRecordWindow`` (and then starts a new window), `false` otherwise. Keys refused
    /// because the table is full share one window.
    public func shouldRecordThrottle(_ key: String) -> Bool {
        let time = now()
        return state.withLock { state in
            guard var bucket = bucketForUpdate(key, at: time, in: &state) else {
                if let last = state.overflowThrottleRecord, time - last < throttleRecordWindow { return false }
                state.overflowThrottleRecord = time
                return true
            }
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

    /// Gives `cost` tokens back to `key`'s bucket (up to its capacity), for an attempt that turned out not to count
    /// (a reservation taken before the outcome was known). Nothing happens for an unknown key.
    public func refund(_ key: String, cost: Double = 1) {
        let time = now()
        state.withLock { state in
            guard let existing = state.buckets[key] else { return }
            var bucket = refilled(existing, at: time)
            bucket.tokens = min(capacity, bucket.tokens + cost)
            state.buckets[key] = bucket
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

    /// The refilled bucket for `key` (a full new one if unknown), making room for it if needed; `nil` when
    /// there is no room under ``Overflow/refuseNewKeys``.
    private func bucketForUpdate(_ key: String, at time: Double, in state: inout State) -> Bucket? {
        var bucket: Bucket
        if let existing = state.buckets[key] {
            bucket = refilled(existing, at: time)
        } else {
            if state.buckets.count >= maxKeys {
                switch overflow {
                case .evictLeastRecentlyUsed:
                    evict(at: time, in: &state)
                case .refuseNewKeys:
                    guard makeRoomKeepingBucketsInUse(at: time, in: &state) else { return nil }
                }
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

    /// Drops idle buckets only. If none is idle, new keys are refused until an eighth of the table (or all of
    /// it, if smaller) will be idle, so the table is scanned at most once per such period, not per key.
    private func makeRoomKeepingBucketsInUse(at time: Double, in state: inout State) -> Bool {
        guard time >= state.refuseNewKeysUntil else { return false }
        var idleAt: [Double] = []
        idleAt.reserveCapacity(state.buckets.count)
        state.buckets = state.buckets.filter { _, bucket in
            let current = refilled(bucket, at: time)
            let fullAt = current.tokens >= capacity ? time : time + (capacity - current.tokens) / refillPerSecond
            let windowEnd = bucket.lastThrottleRecord.map { $0 + throttleRecordWindow } ?? time
            let at = max(fullAt, windowEnd)
            if at <= time { return false }
            idleAt.append(at)
            return true
        }
        if state.buckets.count < maxKeys { return true }
        idleAt.sort()
        let wanted = min(idleAt.count, max(1, maxKeys / 8))
        state.refuseNewKeysUntil = idleAt[wanted - 1]
        return false
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
