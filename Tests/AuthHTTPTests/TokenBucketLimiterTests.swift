import AuthHTTP
import Testing

/// The token bucket, driven by a manual clock.
@Suite struct TokenBucketLimiterTests {
    @Test func allowsUpToCapacityThenLimits() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 3, refillPerSecond: 1.0 / 10, now: { clock.now })
        #expect(limiter.consume("alice") == .allowed)
        #expect(limiter.consume("alice") == .allowed)
        #expect(limiter.consume("alice") == .allowed)
        #expect(limiter.consume("alice") == .limited(retryAfter: 10))
        // Keys are independent.
        #expect(limiter.consume("bob") == .allowed)
    }

    @Test func refillsOverTimeAndReportsRetryAfter() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 2, refillPerSecond: 0.5, now: { clock.now })
        #expect(limiter.consume("k") == .allowed)
        #expect(limiter.consume("k") == .allowed)
        #expect(limiter.consume("k") == .limited(retryAfter: 2))
        clock.advance(by: 1.5)  // 0.75 tokens: still short by 0.25 → 0.5 s → rounds up to 1
        #expect(limiter.consume("k") == .limited(retryAfter: 1))
        clock.advance(by: 0.5)  // 1 token
        #expect(limiter.consume("k") == .allowed)
        #expect(limiter.consume("k") == .limited(retryAfter: 2))
        clock.advance(by: 100)  // refill is capped at capacity
        #expect(limiter.availableTokens("k") == 2)
        #expect(limiter.consume("k", cost: 2) == .allowed)
    }

    @Test func refusedAttemptsTakeNothing() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 1, now: { clock.now })
        #expect(limiter.consume("k") == .allowed)
        for _ in 0..<5 { #expect(limiter.consume("k") == .limited(retryAfter: 1)) }
        clock.advance(by: 1)
        #expect(limiter.consume("k") == .allowed)
    }

    @Test func throttleRecordedOncePerWindowPerKey() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 1, throttleRecordWindow: 60, now: { clock.now })
        #expect(limiter.shouldRecordThrottle("alice"))
        for _ in 0..<100 { #expect(!limiter.shouldRecordThrottle("alice")) }
        #expect(limiter.shouldRecordThrottle("bob"))
        clock.advance(by: 59.9)
        #expect(!limiter.shouldRecordThrottle("alice"))
        clock.advance(by: 0.1)
        #expect(limiter.shouldRecordThrottle("alice"))
        #expect(!limiter.shouldRecordThrottle("alice"))
    }

    @Test func memoryIsBounded() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 5, refillPerSecond: 1, maxKeys: 100, now: { clock.now })
        for index in 0..<1_000 {
            _ = limiter.consume("ip-\(index)")
            clock.advance(by: 0.001)
        }
        #expect(limiter.trackedKeyCount <= 100)
    }

    @Test func idleBucketsAreEvictedBeforeBusyOnes() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 2, refillPerSecond: 1, maxKeys: 3, throttleRecordWindow: 0, now: { clock.now })
        // "hot" is drained; two idle keys refill completely.
        _ = limiter.consume("hot")
        _ = limiter.consume("hot")
        _ = limiter.consume("idle-1")
        _ = limiter.consume("idle-2")
        clock.advance(by: 1.5)
        _ = limiter.consume("hot")  // hot: 1.5 - 1 = 0.5 tokens, not idle
        _ = limiter.consume("new")  // full table: idle-1 and idle-2 (full again) are dropped
        #expect(limiter.trackedKeyCount == 2)
        #expect(limiter.availableTokens("hot") == 0.5)
    }

    /// Threat: ~100k fresh keys (emails) used to evict a drained account bucket (LRU), resetting its limit.
    @Test func drainedAccountBucketSurvivesFloodOfNewKeys() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(
            capacity: 10, refillPerSecond: 0.5, maxKeys: 100_000, overflow: .refuseNewKeys, now: { clock.now })
        let victim = "account:victim@example.com"
        for _ in 0..<10 { #expect(limiter.consume(victim) == .allowed) }
        #expect(limiter.consume(victim) == .limited(retryAfter: 2))
        var refusedNewKeys = 0
        for index in 0..<200_000 where !limiter.consume("account:flood-\(index)@example.com").isAllowed {
            refusedNewKeys += 1
        }
        // The table never exceeded its bound, nothing in use was evicted, and the excess keys were refused.
        #expect(limiter.trackedKeyCount == 100_000)
        #expect(refusedNewKeys == 100_001)
        #expect(limiter.availableTokens(victim) == 0)
        #expect(limiter.consume(victim) == .limited(retryAfter: 2))
        // Refused new keys are told when room comes back (the flood's buckets are full again in 2 s), and their
        // throttle records share one window.
        #expect(limiter.consume("account:late@example.com") == .limited(retryAfter: 2))
        #expect(limiter.shouldRecordThrottle("account:late@example.com"))
        #expect(!limiter.shouldRecordThrottle("account:later@example.com"))
        // Once the flood's buckets have refilled they are dropped and new keys are served again; the victim's
        // bucket (1.5 tokens after 3 s) is kept.
        clock.advance(by: 3)
        #expect(limiter.consume("account:late@example.com") == .allowed)
        #expect(limiter.trackedKeyCount == 2)
        #expect(limiter.availableTokens(victim) == 1.5)
    }

    /// Account buckets in their own table: a flood of unregistered keys goes to the LRU table and neither evicts a
    /// drained account nor blocks new accounts; a flood of real accounts fills the account table, whose new keys are
    /// then refused, and the drained victim still survives.
    @Test func accountBucketsAreKeptApartFromOtherKeys() {
        let clock = ManualClock()
        let limiter = AccountRateLimiter(
            capacity: 3, refillPerSecond: 0.5, maxKeys: 1_000, now: { clock.now }, isAccount: { $0.hasPrefix("acct:real") })
        for _ in 0..<3 { #expect(limiter.consume("acct:real-victim", cost: 1) == .allowed) }
        #expect(limiter.consume("acct:real-victim", cost: 1) == .limited(retryAfter: 2))
        for index in 0..<5_000 { #expect(limiter.consume("acct:made-up-\(index)", cost: 1) == .allowed) }
        #expect(limiter.others.trackedKeyCount <= 1_000)
        #expect(limiter.accounts.trackedKeyCount == 1)
        #expect(limiter.consume("acct:real-victim", cost: 1) == .limited(retryAfter: 2))
        #expect(limiter.consume("acct:real-newcomer", cost: 1) == .allowed)

        var refused = 0
        for index in 0..<2_000 where !limiter.consume("acct:real-\(index)", cost: 1).isAllowed { refused += 1 }
        #expect(refused == 2_000 - 998)
        #expect(limiter.consume("acct:real-victim", cost: 1) == .limited(retryAfter: 2))
        limiter.reset("acct:real-victim")
        #expect(limiter.availableTokens("acct:real-victim") == 3)
    }

    /// The LRU policy (the default, for client addresses) still drops in-use buckets when it must.
    @Test func leastRecentlyUsedPolicyEvictsInUseBuckets() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 2, refillPerSecond: 0.001, maxKeys: 8, now: { clock.now })
        _ = limiter.consume("old")
        _ = limiter.consume("old")
        #expect(limiter.consume("old") != .allowed)
        for index in 0..<8 {
            clock.advance(by: 0.01)
            _ = limiter.consume("new-\(index)")
        }
        #expect(limiter.availableTokens("old") == 2)
    }

    @Test func resetForgetsKey() {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 1, refillPerSecond: 0.01, now: { clock.now })
        #expect(limiter.consume("k") == .allowed)
        #expect(limiter.consume("k") == .limited(retryAfter: 100))
        limiter.reset("k")
        #expect(limiter.consume("k") == .allowed)
    }

    @Test func concurrentConsumersNeverExceedCapacity() async {
        let clock = ManualClock()
        let limiter = TokenBucketLimiter(capacity: 50, refillPerSecond: 0.001, now: { clock.now })
        let allowed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for _ in 0..<100 where limiter.consume("shared").isAllowed { count += 1 }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(allowed == 50)
    }
}

/// Limiter keys of client addresses.
@Suite struct LimiterKeyOfAddressTests {
    @Test func ipv6AddressesAreGroupedBySlashSixtyFour() {
        #expect(IPAddress.limiterKey("2001:db8:1:2::1") == "2001:db8:1:2::/64")
        #expect(IPAddress.limiterKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64")
        #expect(IPAddress.limiterKey("2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(IPAddress.limiterKey("fe80::1%eth0") == "fe80:0:0:0::/64")
        #expect(IPAddress.limiterKey("::1") == "0:0:0:0::/64")
    }

    @Test func ipv4MappedAddressesAreIPv4() {
        #expect(IPAddress.limiterKey("::ffff:192.0.2.7") == "192.0.2.7")
        #expect(IPAddress.limiterKey("::FFFF:c000:207") == "192.0.2.7")
        #expect(IPAddress.limiterKey("192.0.2.7") == "192.0.2.7")
        #expect(IPAddress.limiterKey("not an address") == "not an address")
    }
}
