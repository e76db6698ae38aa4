import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct LoginTests {
    @Test func cookieMode() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            #expect(login.status == .ok)
            #expect(login.fields["user_id"] as? String == userID)
            #expect(login.fields["aal"] as? String == "aal1")
            #expect(login.fields["expires_at"] is String)
            #expect(login.fields["access_token"] == nil && login.fields["refresh_token"] == nil)
            #expect(login.response.headers[.cacheControl] == "no-store")
            let cookie = login.setCookie
            for attribute in ["__Host-session=", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
                #expect(cookie.contains(attribute), "\(cookie)")
            }
            #expect(!cookie.contains("Domain"))
            #expect(OpaqueToken.hash(of: login.cookie) != nil)

            let session = try await client.get("/v1/session", cookie: login.cookie)
            #expect(session.status == .ok)
            #expect(object(session)["session_id"] as? String == login.sessionID)
            #expect((object(session)["session"] as? [String: Any])?["authenticated_by"] as? String == "cookie")
            // The same token works as a bearer session token.
            let bearer = try await client.get("/v1/session", bearer: login.cookie)
            #expect((object(bearer)["session"] as? [String: Any])?["authenticated_by"] as? String == "session_token")

            let anonymous = try await client.execute(uri: "/v1/session", method: .get)
            let problem = expectProblem(anonymous, .unauthorized)
            #expect(problem["type"] as? String == "urn:authd:problem:unauthenticated")
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            expectProblem(try await client.get("/v1/session", cookie: "garbage"), .unauthorized)
            expectProblem(try await client.get("/v1/session", bearer: String(repeating: "A", count: 43)), .unauthorized)
        }
        let created = try harness.events(SessionCreated.self)
        #expect(created.count == 1 && created[0].mode == "cookie")
        let succeeded = try harness.events(LoginSucceeded.self)
        #expect(succeeded.count == 1 && succeeded[0].method == "password" && succeeded[0].aal == "aal1")
    }

    @Test func tokenMode() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            #expect(login.status == .ok)
            #expect(login.fields["token_type"] as? String == "Bearer")
            #expect(login.fields["expires_in"] as? Int == 900)
            #expect(OpaqueToken.hash(of: login.refreshToken) != nil)
            #expect(login.accessToken.split(separator: ".").count == 3)
            #expect(login.response.headers[.setCookie] == nil)
            #expect(login.response.headers[.cacheControl] == "no-store")

            let session = try await client.get("/v1/session", bearer: login.accessToken)
            #expect(session.status == .ok)
            #expect(object(session)["user_id"] as? String == userID)
            #expect((object(session)["session"] as? [String: Any])?["authenticated_by"] as? String == "access_token")
        }
        #expect(try harness.events(RefreshFamilyStarted.self).count == 1)
        #expect(try harness.events(SessionCreated.self).first?.mode == "token")
    }

    @Test func wrongPasswordAndUnknownEmailLookTheSame() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let wrong = try await client.login("ada@example.com", "wrong password")
            let unknown = try await client.login("nobody@example.com", "wrong password")
            var a = expectProblem(wrong.response, .unauthorized)
            var b = expectProblem(unknown.response, .unauthorized)
            a["request_id"] = nil
            b["request_id"] = nil
            #expect(NSDictionary(dictionary: a).isEqual(to: b))
            #expect(a["type"] as? String == "urn:authd:problem:invalid-credentials")
            var headersA = wrong.response.headers, headersB = unknown.response.headers
            for name in [HTTPFields.Element.Name.xRequestID, .date] {
                headersA[name] = nil
                headersB[name] = nil
            }
            #expect(headersA == headersB)
        }
        let failures = try harness.events(LoginFailed.self)
        #expect(failures.count == 2)
        #expect(failures[0].reason == "bad_password" && failures[0].userID != nil)
        #expect(failures[1].reason == "unknown_user" && failures[1].userID == nil)
        // The subject is a keyed hash: not the email, not its plain SHA-256.
        #expect(failures[1].subject == harness.api.keyedSubject("nobody@example.com"))
        #expect(failures[1].subject.count == 64)
        let log = try harness.recorded(LoginFailed.type).map { String(decoding: $0.stored, as: UTF8.self) }.joined()
        #expect(!log.contains("nobody@example.com"))
    }

    /// Unknown users are verified against a dummy argon2id hash: the two failures cost the same. Parameters heavy
    /// enough that hashing dominates; medians of interleaved samples; a generous bound.
    @Test func enumerationTiming() async throws {
        let harness = try Harness { options in
            options.configuration.argon2MemoryKiB = 16_384
            options.configuration.argon2Iterations = 2
        }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let (medianKnown, medianUnknown) = try await interleavedMedians(rounds: 30) { isKnown, round in
                let login = try await client.login(isKnown ? "ada@example.com" : "nobody\(round)@example.com", "wrong password")
                #expect(login.status == .unauthorized)
            }
            // Medians of interleaved samples are robust to the spikes other tests (running in parallel) cause.
            let ratio = medianUnknown / medianKnown
            print("enumeration timing: known median \(medianKnown) ms, unknown median \(medianUnknown) ms, ratio \(ratio)")
            #expect(medianKnown > 5, "argon2 should dominate")
            // Skipping argon2 for unknown emails would make that path an order of magnitude faster (ratio < 0.1).
            #expect(ratio > 0.5 && ratio < 2.0, "medians: known \(medianKnown) ms, unknown \(medianUnknown) ms")
        }
    }

    @Test func everyLoginGetsANewSession() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let first = try await client.login("ada@example.com")
            // A login that already carries a session cookie (possibly planted) still gets a fresh id and token.
            let second = try await client.login("ada@example.com", headers: [.cookie: "__Host-session=\(first.cookie)"])
            #expect(second.status == .ok)
            #expect(first.sessionID != second.sessionID)
            #expect(first.cookie != second.cookie)
            let planted = try await client.login("ada@example.com", headers: [.cookie: "__Host-session=attacker-chosen-value"])
            #expect(planted.cookie != "attacker-chosen-value")
            #expect(Set([first.sessionID, second.sessionID, planted.sessionID]).count == 3)
        }
    }

    @Test func rehashOnLoginWhenStoredParametersAreWeaker() async throws {
        let harness = try Harness { options in
            options.configuration.argon2MemoryKiB = 2048
            options.configuration.argon2Iterations = 2
        }
        let weak = try Argon2id.hash(password: "correct horse battery", parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))
        let userID = Identifier.user()
        _ = try await harness.store.run(RegisterUser(userID: userID, email: "old@example.com", passwordHash: weak, request: .none))
        try await harness.run { client async throws in
            #expect(try await client.login("old@example.com").status == .ok)
            #expect(try await client.login("old@example.com").status == .ok)
        }
        let rehashed = try harness.events(PasswordRehashed.self)
        #expect(rehashed.count == 1)
        #expect(rehashed.first?.previousParameters == "m=1024,t=1,p=1")
        #expect(rehashed.first?.passwordHash.contains("m=2048,t=2,p=1") == true)
    }

    @Test func productionDefaults() {
        let options = AuthAPIOptions(configuration: ServerConfiguration())
        #expect(options.argon2 == Argon2id.Parameters(memoryKiB: 65_536, iterations: 3, parallelism: 4))
        #expect(options.configuration.refreshGrace == 30)
        #expect(options.configuration.sessionUpdateAge == 86_400)
        #expect(options.cookieName == "__Host-session")
    }
}

@Suite struct FormattingTests {
    @Test func fastRFC3339MatchesTimestamp() {
        var generator = SystemRandomNumberGenerator()
        let samples: [Int64] = [0, -1, 1, 951_782_400_000_000, 4_102_444_799_999_999, -62_135_596_800_000_000, 1_767_225_600_123_456]
            + (0..<2_000).map { _ in Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &generator) }
        for micros in samples {
            let timestamp = Timestamp(microseconds: micros)
            #expect(RFC3339.format(timestamp) == timestamp.rfc3339, "\(micros)")
        }
    }
}

import EventLog
