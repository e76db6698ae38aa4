import AuthAPI
import AuthHTTP
import AuthCore
import EventLog
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct SessionTests {
    @Test func csrfForCookieAuthenticatedUnsafeRequests() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let cookie: HTTPFields = [.cookie: "__Host-session=\(try await client.login("ada@example.com").cookie)"]

            let noOrigin = try await client.execute(uri: "/v1/logout", method: .post, headers: cookie)
            #expect(expectProblem(noOrigin, .forbidden)["type"] as? String == "urn:authd:problem:csrf")
            var evil = cookie
            evil[.origin] = "https://evil.example"
            expectProblem(try await client.execute(uri: "/v1/logout", method: .post, headers: evil), .forbidden)
            var crossSite = cookie
            crossSite[HTTPFields.Element.Name("Sec-Fetch-Site")!] = "cross-site"
            expectProblem(try await client.execute(uri: "/v1/sessions", method: .delete, headers: crossSite), .forbidden)
            // Safe methods need no origin.
            #expect(try await client.execute(uri: "/v1/sessions", method: .get, headers: cookie).status == .ok)

            var sameOrigin = cookie
            sameOrigin[HTTPFields.Element.Name("Sec-Fetch-Site")!] = "same-origin"
            #expect(try await client.execute(uri: "/v1/sessions", method: .delete, headers: sameOrigin).status == .ok)
            var allowed = cookie
            allowed[.origin] = Harness.origin
            let logout = try await client.execute(uri: "/v1/logout", method: .post, headers: allowed)
            #expect(logout.status == .noContent)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)

            // Bearer requests are exempt: browsers never attach them on their own.
            let token = try await client.login("ada@example.com", mode: "token")
            let bearer = try await client.execute(uri: "/v1/logout", method: .post, headers: [.authorization: "Bearer \(token.accessToken)"])
            #expect(bearer.status == .noContent)
        }
    }

    @Test func logoutRevokesSessionAndFamily() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let logout = try await client.execute(uri: "/v1/logout", method: .post, headers: [.authorization: "Bearer \(login.accessToken)"])
            #expect(logout.status == .noContent)
            expectProblem(try await client.get("/v1/session", bearer: login.accessToken), .unauthorized)
            expectProblem(try await client.refresh(login.refreshToken), .unauthorized)
        }
        #expect(try harness.events(RefreshFamilyRevoked.self).map(\.reason) == ["logout"])
        #expect(try harness.events(SessionRevoked.self).map(\.reason) == ["logout"])
        // A rejected refresh of a revoked family writes nothing more.
        #expect(try harness.events(RefreshReuseDetected.self).isEmpty)
    }

    @Test func listRevokeOneRevokeOthers() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            try await client.register("eve@example.com")
            let a = try await client.login("ada@example.com", headers: [.userAgent: "browser-a"])
            let b = try await client.login("ada@example.com", headers: [.userAgent: "browser-b"])
            let c = try await client.login("ada@example.com", mode: "token")
            let eve = try await client.login("eve@example.com")

            let list = try await client.get("/v1/sessions", bearer: a.cookie)
            #expect(list.status == .ok)
            let sessions = object(list)["sessions"] as? [[String: Any]] ?? []
            #expect(sessions.count == 3)
            #expect(sessions.filter { $0["current"] as? Bool == true }.map { $0["id"] as? String } == [a.sessionID])
            #expect(Set(sessions.compactMap { $0["id"] as? String }) == Set([a.sessionID, b.sessionID, c.sessionID]))
            let first = sessions.first { $0["id"] as? String == b.sessionID } ?? [:]
            #expect(first["user_agent"] as? String == "browser-b")
            #expect(first["ip"] as? String == "127.0.0.1")
            for key in ["created_at", "last_seen_at", "expires_at"] { #expect(first[key] is String) }

            let auth: HTTPFields = [.authorization: "Bearer \(a.cookie)"]
            // Someone else's session looks like a missing one.
            expectProblem(try await client.execute(uri: "/v1/sessions/\(eve.sessionID)", method: .delete, headers: auth), .notFound)
            expectProblem(try await client.execute(uri: "/v1/sessions/nonsense", method: .delete, headers: auth), .notFound)
            #expect(try await client.get("/v1/session", cookie: eve.cookie).status == .ok)

            #expect(try await client.execute(uri: "/v1/sessions/\(b.sessionID)", method: .delete, headers: auth).status == .noContent)
            expectProblem(try await client.get("/v1/session", cookie: b.cookie), .unauthorized)
            let others = try await client.execute(uri: "/v1/sessions", method: .delete, headers: auth)
            #expect(object(others)["revoked"] as? Int == 1)
            expectProblem(try await client.get("/v1/session", bearer: c.accessToken), .unauthorized)
            expectProblem(try await client.refresh(c.refreshToken), .unauthorized)
            let remaining = object(try await client.get("/v1/sessions", bearer: a.cookie))["sessions"] as? [[String: Any]] ?? []
            #expect(remaining.count == 1)
        }
    }

    @Test func passwordChangeRevokesEveryOtherSession() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com", "old password 1")
            let keep = try await client.login("ada@example.com", "old password 1")
            let other = try await client.login("ada@example.com", "old password 1")
            let token = try await client.login("ada@example.com", "old password 1", mode: "token")
            let auth: HTTPFields = [.authorization: "Bearer \(keep.cookie)"]

            let wrong = try await client.post("/v1/password", ["current_password": "nope nope", "new_password": "new password 2"], headers: auth)
            expectProblem(wrong, .forbidden)
            let short = try await client.post("/v1/password", ["current_password": "old password 1", "new_password": "short"], headers: auth)
            expectProblem(short, .badRequest)

            let change = try await client.post(
                "/v1/password", ["current_password": "old password 1", "new_password": "new password 2"], headers: auth)
            #expect(change.status == .ok, "\(text(change))")
            #expect(object(change)["revoked_sessions"] as? Int == 2)
            #expect(try await client.get("/v1/session", bearer: keep.cookie).status == .ok)
            expectProblem(try await client.get("/v1/session", bearer: other.cookie), .unauthorized)
            expectProblem(try await client.get("/v1/session", bearer: token.accessToken), .unauthorized)
            expectProblem(try await client.refresh(token.refreshToken), .unauthorized)
            #expect(try await client.login("ada@example.com", "old password 1").status == .unauthorized)
            #expect(try await client.login("ada@example.com", "new password 2").status == .ok)
        }
        #expect(try harness.events(PasswordChanged.self).count == 1)
        #expect(try harness.events(SessionRevoked.self).map(\.reason) == ["password_changed", "password_changed"])
        #expect(try harness.events(RefreshFamilyRevoked.self).map(\.reason) == ["password_changed"])
    }

    @Test func idleTimeoutUpdateAgeAndAbsoluteExpiry() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            for _ in 0..<5 { #expect(try await client.get("/v1/session", cookie: login.cookie).status == .ok) }
            #expect(try harness.events(SessionExtended.self).isEmpty, "reads must not write before update_age")

            harness.clock.advance(seconds: 86_400 + 60)
            for _ in 0..<5 { #expect(try await client.get("/v1/session", cookie: login.cookie).status == .ok) }
            #expect(try harness.events(SessionExtended.self).count == 1)

            // Idle: 7 days without a request ends it.
            harness.clock.advance(seconds: 7 * 86_400 + 1)
            expectProblem(try await client.get("/v1/session", cookie: login.cookie), .unauthorized)

            // Absolute: active every 6 days, still ends after 30 days.
            let busy = try await client.login("ada@example.com")
            for _ in 0..<4 {
                harness.clock.advance(seconds: 6 * 86_400)
                #expect(try await client.get("/v1/session", cookie: busy.cookie).status == .ok)
            }
            harness.clock.advance(seconds: 6 * 86_400 + 1)
            expectProblem(try await client.get("/v1/session", cookie: busy.cookie), .unauthorized)
        }
    }

    @Test func securityHeadersAndNoTokensInQuery() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            let response = try await client.get("/v1/session", cookie: login.cookie)
            #expect(response.headers[.referrerPolicy] == "strict-origin-when-cross-origin")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.headers[.cacheControl] == "no-store")
            let query = try await client.execute(uri: "/v1/session?access_token=\(login.cookie)", method: .get)
            expectProblem(query, .badRequest)
            let queryToken = try await client.execute(uri: "/v1/session?session=\(login.cookie)", method: .get)
            expectProblem(queryToken, .badRequest)
        }
    }
}
