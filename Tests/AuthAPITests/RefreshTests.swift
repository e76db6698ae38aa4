import AuthAPI
import AuthHTTP
import AuthCore
import AuthCrypto
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import LMDB
import ProjectionRebuild
import Synchronization
import Testing

@Suite struct RefreshTests {
    @Test func rotationAndReuseDetection() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let first = try await client.refresh(login.refreshToken)
            #expect(first.status == .ok, "\(text(first))")
            #expect(first.headers[.cacheControl] == "no-store")
            #expect(first.headers[HTTPFields.Element.Name("Pragma")!] == "no-cache" && first.headers[.contentType] == "application/json")
            let rotated = object(first)
            #expect(Set(rotated.keys) == ["access_token", "expires_in", "refresh_token", "token_type"])
            let next = rotated["refresh_token"] as? String ?? ""
            #expect(next != login.refreshToken && OpaqueToken.hash(of: next) != nil)
            #expect(rotated["token_type"] as? String == "Bearer" && rotated["expires_in"] as? Int == 900)
            let access = rotated["access_token"] as? String ?? ""
            #expect(try await client.get("/v1/session", bearer: access).status == .ok)

            let second = try await client.refresh(next)
            #expect(second.status == .ok)
            let newest = object(second)["refresh_token"] as? String ?? ""

            // The first token again: reuse. 401, and the whole family and its session are gone.
            let reuse = try await client.post(
                "/v1/token/refresh", ["refresh_token": login.refreshToken], headers: [.userAgent: "thief/1.0"])
            #expect(expectProblem(reuse, .unauthorized)["type"] as? String == "urn:authd:problem:invalid-refresh-token")
            expectProblem(try await client.refresh(newest), .unauthorized)
            expectProblem(try await client.get("/v1/session", bearer: access), .unauthorized)
            // Garbage gets the same answer.
            expectProblem(try await client.refresh("not a token"), .unauthorized)
        }
        let rotations = try harness.events(RefreshRotated.self)
        #expect(rotations.count == 2 && rotations.allSatisfy { !$0.grace })
        #expect(rotations[1].parentHash == rotations[0].childHash)
        let reuse = try harness.recorded(RefreshReuseDetected.type)
        #expect(reuse.count == 1)
        #expect(try harness.store.query { try reuse.first.map($0.request(of:))?.userAgent } == "thief/1.0")
        #expect(try harness.events(RefreshFamilyRevoked.self).map(\.reason) == ["reuse_detected"])
        #expect(try harness.events(SessionRevoked.self).map(\.reason) == ["refresh_reuse"])
        // Order: reuse_detected, family_revoked, session.revoked.
        let tail = try harness.store.read { context -> [String] in
            let head = try context.head().seq
            return try (head - 2...head).map { try context.event($0)!.type }
        }
        #expect(tail == [RefreshReuseDetected.type, RefreshFamilyRevoked.type, SessionRevoked.type])
    }

    @Test func graceWindowOn() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 30 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let first = try await client.refresh(login.refreshToken)
            #expect(first.status == .ok)
            harness.clock.advance(seconds: 5)
            // Second tab, same parent, inside the window: not theft, and the same child as the first tab got.
            let again = try await client.refresh(login.refreshToken)
            #expect(again.status == .ok)
            let graceChild = object(again)["refresh_token"] as? String ?? ""
            #expect(graceChild == object(first)["refresh_token"] as? String)
            #expect(object(again)["access_token"] as? String != object(first)["access_token"] as? String)
            #expect(try await client.refresh(graceChild).status == .ok)
            // The child is used now: the parent is reuse even inside the window.
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshRotated.self).map(\.grace) == [false, true, false])
        #expect(try harness.events(RefreshReuseDetected.self).count == 1)
    }

    /// Two tabs present the same token at the same instant (grace on): both succeed, with one and the same child.
    @Test func benignRaceGetsOneChild() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 30 }
        let children = Mutex<[String]>([])
        try await harness.run(.ahc(.http)) { client in
            try await client.register("ada@example.com")
            let token = try await client.login("ada@example.com", mode: "token").refreshToken
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        let response = try await client.refresh(token)
                        #expect(response.status == .ok, "\(text(response))")
                        return object(response)["refresh_token"] as? String ?? ""
                    }
                }
                for try await child in group { children.withLock { $0.append(child) } }
            }
            let both = children.withLock { $0 }
            #expect(both.count == 2 && both[0] == both[1] && !both[0].isEmpty)
            #expect(try await client.refresh(both[0]).status == .ok)
        }
        #expect(try harness.events(RefreshRotated.self).map(\.grace) == [false, true, false])
        #expect(try harness.events(RefreshReuseDetected.self).isEmpty)
    }

    /// The fork of the hardening review: a thief replays R0 within the window after the victim exchanged it. The
    /// thief now holds the victim's child, not a second chain; as soon as the two holders' presentations are more
    /// than the window apart, the stale one is reuse and both are refused; the investigation names that reuse.
    @Test func graceForkEndsInReuse() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 30 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let r1 = object(try await client.refresh(login.refreshToken))["refresh_token"] as? String ?? ""
            harness.clock.advance(seconds: 10)
            let thief = try await client.post(
                "/v1/token/refresh", ["refresh_token": login.refreshToken], headers: [.userAgent: "thief/1.0"])
            #expect(thief.status == .ok)
            let thiefToken = object(thief)["refresh_token"] as? String ?? ""
            #expect(thiefToken == r1)
            // The victim goes on (a refresh every 15 minutes); the thief comes back with the token it got.
            harness.clock.advance(seconds: 900)
            let victim = try await client.refresh(r1)
            #expect(victim.status == .ok)
            let r2 = object(victim)["refresh_token"] as? String ?? ""
            harness.clock.advance(seconds: 900)
            expectProblem(try await client.post("/v1/token/refresh", ["refresh_token": thiefToken], headers: [.userAgent: "thief/1.0"]), .unauthorized)
            expectProblem(try await client.refresh(r2), .unauthorized)
            expectProblem(try await client.refresh(thiefToken), .unauthorized)
        }
        let familyID = try #require(try harness.events(RefreshFamilyStarted.self).first).familyID
        let reuse = try harness.events(RefreshReuseDetected.self)
        #expect(reuse.count == 1)
        #expect(try harness.events(RefreshFamilyRevoked.self).map(\.reason) == ["reuse_detected"])
        let investigation = try #require(try harness.store.read {
            try FamilyInvestigation.run(familyID: familyID, in: $0, vault: PersonalDataVault.installed(on: harness.store))
        })
        #expect(investigation.reuses.count == 1)
        #expect(investigation.reuses.first?.tokenHash == Encoding.base64URL(reuse[0].tokenHash))
        #expect(investigation.reuses.first?.presented.userAgent == "thief/1.0")
        // One token per hash in the tree: the re-issued child is listed once, with its re-issue.
        #expect(investigation.tokens.count == 3)
        #expect(investigation.tokens[1].reissues.count == 1)
    }

    /// Property: two holders of one family presenting their latest tokens in random order with random delays around
    /// the window never hold two live chains: the family has at most one unused token (its leaf) after every step,
    /// and at the end at most one holder can still rotate.
    @Test(arguments: 0..<24) func randomInterleavingsNeverForkAChain(seed: UInt64) async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 30 }
        try await harness.run { client in
            var random = SplitMix64(seed: seed)
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            var held = [login.refreshToken, login.refreshToken]
            let delays: [Int64] = [0, 1, 5, 29, 30, 31, 45, 900]
            for _ in 0..<12 {
                harness.clock.advance(seconds: delays[Int(random.next() % UInt64(delays.count))])
                let holder = Int(random.next() % 2)
                let response = try await client.refresh(held[holder])
                if response.status == .ok { held[holder] = object(response)["refresh_token"] as? String ?? "" }
                #expect(try harness.unusedRefreshTokens() <= 1, "seed \(seed)")
            }
            harness.clock.advance(seconds: 31)
            var successes = 0
            for holder in 0..<2 where try await client.refresh(held[holder]).status == .ok { successes += 1 }
            #expect(successes <= 1, "seed \(seed): two holders still rotate")
        }
    }

    @Test func graceWindowOff() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 0 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            #expect(try await client.refresh(login.refreshToken).status == .ok)
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshReuseDetected.self).count == 1)
    }

    @Test func familiesExpire() async throws {
        let harness = try Harness { $0.configuration.refreshTTL = 3_600 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            harness.clock.advance(seconds: 3_601)
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshRotated.self).isEmpty)
    }

    /// One refresh token presented by 1,000 concurrent requests (grace off): exactly one plain rotation wins, the
    /// first loser triggers reuse detection, the rest find a revoked family; the log rebuilds to the live state.
    @Test func thousandConcurrentPresentations() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 0 }
        let statuses = Mutex<[UInt: Int]>([:])
        try await harness.run(.ahc(.http)) { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let token = login.refreshToken
            try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<1_000 {
                    group.addTask { UInt(try await client.refresh(token).status.code) }
                }
                for try await code in group { statuses.withLock { $0[code, default: 0] += 1 } }
            }
        }
        #expect(statuses.withLock { $0 } == [200: 1, 401: 999])
        let rotations = try harness.events(RefreshRotated.self)
        #expect(rotations.count == 1 && rotations[0].grace == false)
        #expect(try harness.events(RefreshReuseDetected.self).count == 1)
        #expect(try harness.events(RefreshFamilyRevoked.self).count == 1)
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }
}

/// A small deterministic generator for the interleaving property (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Harness {
    /// Refresh tokens of live families that are not used yet (a family's leaf is one).
    func unusedRefreshTokens() throws -> Int {
        try store.read { context in
            let tokens = context.state.table(RefreshProjection(), "tokens")
            let families = context.state.table(RefreshProjection(), "families")
            var count = 0
            for entry in try tokens.entries(prefix: []) {
                guard let token = try tokens.record(RefreshTokenRecord.self, entry.key), token.usedAt == nil,
                    let family = try families.record(FamilyRecord.self, Key.of(token.familyID)), family.revokedReason == nil
                else { continue }
                count += 1
            }
            return count
        }
    }
}

/// A flood of made-up refresh tokens.
@Suite struct RefreshFloodTests {
    /// Unknown tokens are answered from a read transaction (the writer sees none of them), failures are limited per
    /// client address, and session validation goes on meanwhile (latencies printed).
    @Test func unknownTokensNeverReachTheWriter() async throws {
        let harness = try Harness {
            $0.refreshFailuresPerIP = RateLimit(capacity: 100, perSecond: 1)
            $0.refreshRefusalDelay = .zero  // the tarpit is tested on its own, below
        }
        let latencies = Mutex<[Double]>([])
        try await harness.run(.ahc(.http)) { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let before = harness.store.statistics
            var counts: [Int: Int] = [:]
            // Eight flooding workers return their statuses; one validating worker returns its latencies.
            try await withThrowingTaskGroup(of: ([Int], [Double]).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var statuses: [Int] = []
                        for _ in 0..<250 { statuses.append(Int(try await client.refresh(OpaqueToken.generate().text).status.code)) }
                        return (statuses, [])
                    }
                }
                group.addTask {
                    let clock = ContinuousClock()
                    var measured: [Double] = []
                    for _ in 0..<200 {
                        let start = clock.now
                        let response = try await client.get("/v1/session", bearer: login.accessToken)
                        let elapsed = start.duration(to: clock.now)
                        #expect(response.status == .ok)
                        measured.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                    }
                    return ([], measured)
                }
                for try await (statuses, measured) in group {
                    for status in statuses { counts[status, default: 0] += 1 }
                    latencies.withLock { $0.append(contentsOf: measured) }
                }
            }
            let after = harness.store.statistics
            // The one command is the single `login.throttled` record; none of the 2,000 unknown tokens was queued.
            #expect(after.commands == before.commands + 1, "unknown refresh tokens queued on the writer")
            #expect(counts[401] == 100 && counts[429] == 1_900, "\(counts)")
            #expect(try harness.events(LoginThrottled.self).count == 1)
        }
        let sorted = latencies.withLock { $0 }.sorted()
        let p99 = sorted[Int(Double(sorted.count) * 0.99) - 1]
        // A timing, printed only: speed targets live in `authbench` (docs/BENCHMARKS.md), not in tests.
        print("session validation during a refresh flood (test client in-process): p50 \(sorted[sorted.count / 2]) ms, p99 \(p99) ms")
    }

    /// A refused refresh request is held before its 429, so a client that never waits gets one answer per delay
    /// per connection; the tarpit holds at most its capacity.
    @Test func refusedRequestsAreHeldInTheTarpit() async throws {
        let harness = try Harness {
            $0.refreshFailuresPerIP = RateLimit(capacity: 1, perSecond: 0.001)
            $0.refreshRefusalDelay = .milliseconds(400)
        }
        try await harness.run { client in
            let clock = ContinuousClock()
            var start = clock.now
            expectProblem(try await client.refresh(OpaqueToken.generate().text), .unauthorized)
            #expect(start.duration(to: clock.now) < .milliseconds(400))
            start = clock.now
            expectProblem(try await client.refresh(OpaqueToken.generate().text), .tooManyRequests)
            #expect(start.duration(to: clock.now) >= .milliseconds(400))
        }
        let tarpit = Tarpit(delay: .milliseconds(500), capacity: 2)
        let held = await withTaskGroup(of: Bool.self) { group -> Int in
            for _ in 0..<4 {
                group.addTask {
                    let clock = ContinuousClock()
                    let start = clock.now
                    await tarpit.hold()
                    return start.duration(to: clock.now) >= .milliseconds(500)
                }
            }
            var count = 0
            for await wasHeld in group where wasHeld { count += 1 }
            return count
        }
        // Two were held for the delay; the other two, beyond the capacity, were answered at once.
        #expect(held == 2 && tarpit.count == 0)
    }

    @Test func overloadedWriterIs503WithRetryAfter() {
        let problem = EventStoreError.overloaded.problem
        #expect(problem.status == .serviceUnavailable && problem.retryAfter == 1)
    }
}
