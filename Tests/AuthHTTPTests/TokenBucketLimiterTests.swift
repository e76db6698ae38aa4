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
