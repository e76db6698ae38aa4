/// What the API needs of a rate limiter: take a token, decide whether to record a throttle, forget a key.
public protocol RateLimiting: Sendable {
    /// Takes `cost` tokens from `key`'s bucket if it has them.
    func consume(_ key: String, cost: Double) -> TokenBucketLimiter.Decision
    /// Whether to record a "throttled" event for `key` now (at most once per key per window).
    func shouldRecordThrottle(_ key: String) -> Bool
    /// Forgets `key` (after a successful login, say).
    func reset(_ key: String)
}

extension TokenBucketLimiter: RateLimiting {}

/// Per-account buckets kept apart from buckets of keys that name no account.
///
/// Keys for which `isAccount` is true (a registered email, a user id) live in their own bounded table that only ever
/// drops *refilled* buckets (``TokenBucketLimiter/Overflow/refuseNewKeys``): a drained account's bucket survives any
/// flood of keys, and when that table is full of buckets in use new account keys are refused (limited) instead of
/// evicting one. Every other key (an unregistered email: there is no account to protect) lives in a second table
/// that drops its least recently used buckets, so a flood of made-up emails neither touches the account table nor
/// blocks real accounts.
public final class AccountRateLimiter: RateLimiting {
    /// The buckets of real accounts.
    public let accounts: TokenBucketLimiter
    /// The buckets of every other key.
    public let others: TokenBucketLimiter
    private let isAccount: @Sendable (String) -> Bool

    /// Creates both tables with the same rate; `maxKeys` bounds each.
    public init(
        capacity: Double, refillPerSecond: Double, maxKeys: Int = 100_000, throttleRecordWindow: Double = 60,
        now: @escaping @Sendable () -> Double = TokenBucketLimiter.monotonicNow,
        isAccount: @escaping @Sendable (String) -> Bool
    ) {
        accounts = TokenBucketLimiter(
            capacity: capacity, refillPerSecond: refillPerSecond, maxKeys: maxKeys, throttleRecordWindow: throttleRecordWindow,
            overflow: .refuseNewKeys, now: now)
        others = TokenBucketLimiter(
            capacity: capacity, refillPerSecond: refillPerSecond, maxKeys: maxKeys, throttleRecordWindow: throttleRecordWindow,
            overflow: .evictLeastRecentlyUsed, now: now)
        self.isAccount = isAccount
    }

    private func table(_ key: String) -> TokenBucketLimiter { isAccount(key) ? accounts : others }

    public func consume(_ key: String, cost: Double = 1) -> TokenBucketLimiter.Decision { table(key).consume(key, cost: cost) }

    public func shouldRecordThrottle(_ key: String) -> Bool { table(key).shouldRecordThrottle(key) }

    /// Gives `cost` tokens back to `key`'s bucket (see ``TokenBucketLimiter/refund(_:cost:)``).
    public func refund(_ key: String, cost: Double = 1) { table(key).refund(key, cost: cost) }

    /// Forgets `key` in both tables.
    public func reset(_ key: String) {
        accounts.reset(key)
        others.reset(key)
    }

    /// The tokens `key` has now.
    public func availableTokens(_ key: String) -> Double { table(key).availableTokens(key) }

    /// How many keys both tables track.
    public var trackedKeyCount: Int { accounts.trackedKeyCount + others.trackedKeyCount }
}
