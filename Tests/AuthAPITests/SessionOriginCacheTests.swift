@testable import AuthAPI
@testable import AuthCore
import EventLog
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// The cache of opened session fields behind `GET /v1/session` (``SessionOriginCache``): what it answers, its bounds,
/// and that a deleted user's entries leave memory when the deletion commits.
@Suite struct SessionOriginCacheTests {
    static let email = "origin.cache@example.org"
    static let agent = "OriginCache/1.0 (agent-7f3a)"

    static func session(_ id: String, user: String = "usr_a", ip: String? = "sealed:ip", agent: String? = "sealed:ua") -> Queries.ActiveSession {
        let start = Timestamp(microseconds: 1_000_000)
        return Queries.ActiveSession(
            id: id,
            record: SessionRecord(
                userID: user, tokenHash: Array(repeating: 1, count: 32), aal: "aal1", mode: "cookie", createdAt: start, lastSeenAt: start,
                expiresAt: start.adding(seconds: 3_600), idleTimeout: 1_800, clientIP: ip, userAgent: agent, familyID: nil))
    }

    static let at = Timestamp(microseconds: 2_000_000)

    @Test func answersOnlyTheSealedValuesItOpened() {
        let cache = SessionOriginCache()
        let session = Self.session("ses_1")
        #expect(cache.origin(of: session, at: Self.at) == nil)
        cache.insert(session, opened: ("192.0.2.1", "Agent/1"), at: Self.at, generation: cache.generation)
        let hit = cache.origin(of: session, at: Self.at)
        #expect(hit?.clientIP == "192.0.2.1" && hit?.userAgent == "Agent/1")
        // Other sealed bytes, another user, or after the lifetime: no answer.
        #expect(cache.origin(of: Self.session("ses_1", agent: "sealed:other"), at: Self.at) == nil)
        #expect(cache.origin(of: Self.session("ses_1", ip: nil), at: Self.at) == nil)
        #expect(cache.origin(of: Self.session("ses_1", user: "usr_b"), at: Self.at) == nil)
        #expect(cache.origin(of: session, at: Self.at.adding(seconds: 299)) != nil)
        #expect(cache.origin(of: session, at: Self.at.adding(seconds: 300)) == nil)
    }

    @Test func keepsNothingThatDidNotOpen() {
        let cache = SessionOriginCache()
        cache.insert(Self.session("ses_1"), opened: (PersonalDataVault.erased, PersonalDataVault.erased), at: Self.at, generation: cache.generation)
        cache.insert(Self.session("ses_2"), opened: ("192.0.2.1", PersonalDataVault.sealed), at: Self.at, generation: cache.generation)
        #expect(cache.count == 0)
    }

    @Test func boundedByCapacityOldestFirst() {
        let cache = SessionOriginCache(capacity: 3)
        for index in 0..<5 { cache.insert(Self.session("ses_\(index)"), opened: ("ip\(index)", nil), at: Self.at, generation: cache.generation) }
        #expect(cache.count == 3)
        #expect(cache.origin(of: Self.session("ses_1"), at: Self.at) == nil)
        #expect(cache.origin(of: Self.session("ses_4"), at: Self.at)?.clientIP == "ip4")
        // Replacing an entry (new sealed values of the same session) takes no new slot.
        cache.insert(Self.session("ses_4", ip: "sealed:ip2"), opened: ("ip4b", nil), at: Self.at, generation: cache.generation)
        #expect(cache.count == 3 && cache.origin(of: Self.session("ses_2"), at: Self.at) != nil)
    }

    @Test func forgetDropsTheUsersEntriesAndRefusesOpeningsBegunBefore() {
        let cache = SessionOriginCache()
        cache.insert(Self.session("ses_1"), opened: ("192.0.2.1", "A"), at: Self.at, generation: cache.generation)
        cache.insert(Self.session("ses_2", user: "usr_b"), opened: ("192.0.2.2", "B"), at: Self.at, generation: cache.generation)
        let begun = cache.generation
        cache.forget(userID: "usr_a")
        #expect(cache.origin(of: Self.session("ses_1"), at: Self.at) == nil)
        #expect(cache.origin(of: Self.session("ses_2", user: "usr_b"), at: Self.at)?.userAgent == "B")
        // An opening that read its snapshot before the deletion committed is not kept.
        cache.insert(Self.session("ses_3"), opened: ("192.0.2.3", "C"), at: Self.at, generation: begun)
        #expect(cache.count == 1)
    }

    /// Over the live server: `GET /v1/session` answers the user agent it was created with, the same way from the
    /// cache as when opened; deleting the account drops the user's entries.
    @Test func sessionAnswersFromTheCacheAndDeletionDropsIt() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register(Self.email)
            let login = try await client.login(Self.email, headers: [.userAgent: Self.agent])
            let first = try await client.get("/v1/session", cookie: login.cookie)
            #expect(first.status == .ok, "\(text(first))")
            #expect((object(first)["session"] as? [String: Any])?["user_agent"] as? String == Self.agent)
            #expect(harness.api.sessionOrigins.count == 1)
            let second = try await client.get("/v1/session", cookie: login.cookie)
            #expect(text(second) == text(first))

            let token = try await client.login(Self.email, mode: "token", headers: [.userAgent: Self.agent])
            let viaToken = try await client.get("/v1/session", bearer: token.accessToken)
            #expect((object(viaToken)["session"] as? [String: Any])?["user_agent"] as? String == Self.agent)
            #expect(harness.api.sessionOrigins.count == 2)
            let deleted = try await client.execute(uri: "/v1/me", method: .delete, headers: [.authorization: "Bearer \(token.accessToken)"])
            #expect(deleted.status == .ok, "\(text(deleted))")
            #expect(harness.api.sessionOrigins.count == 0)
            expectProblem(try await client.get("/v1/session", cookie: login.cookie), .unauthorized)
        }
    }
}
