import AuthAPI
import AuthCore
import AuthCrypto
import EventLog
import Hummingbird
import HummingbirdTesting
import Testing

/// Client-supplied strings that end up in events are bounded in UTF-8 bytes, not characters.
@Suite struct ClientStringTests {
    static let flood = "a" + String(repeating: "\u{301}", count: 5_000)

    /// Threat: one letter plus thousands of combining marks is one character, so a 256-character cut let it through.
    @Test func combiningMarkFloodInUserAgentIsCutInEvents() async throws {
        let harness = try Harness()
        try await harness.run { client in
            _ = try await client.register("ua@example.com")
            let login = try await client.login("ua@example.com", headers: [.userAgent: "Mozilla/5.0 " + Self.flood])
            #expect(login.status == .ok)
            let sessions = try await client.get("/v1/sessions", cookie: login.cookie)
            let agents = (object(sessions)["sessions"] as? [[String: Any]] ?? []).compactMap { $0["user_agent"] as? String }
            #expect(agents == ["Mozilla/5.0 "])
            let flooded = try await client.login("ua@example.com", headers: [.userAgent: Self.flood])
            #expect(flooded.status == .ok)
        }
        // Stored sealed under the user's key; opened, the agent as cut.
        let logins = try harness.recorded(LoginSucceeded.type)
        #expect(logins.allSatisfy { $0.request.userAgent.map(PersonalDataVault.isSealed) == true })
        let agents = try harness.store.query { queries in try logins.compactMap { try queries.request(of: $0).userAgent } }
        #expect(agents.count == 2)
        #expect(agents.allSatisfy { $0.utf8.count <= 256 })
        #expect(agents[0] == "Mozilla/5.0 ")
        #expect(agents[1].utf8.starts(with: "a\u{301}\u{301}".utf8) && agents[1].utf8.count == 255)
    }

    /// Passkey names are refused over 64 characters or 256 bytes; reported transports are bounded and well-formed.
    @Test func passkeyNameFloodIsRefusedAndTransportsAreBounded() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            _ = try await client.register("names@example.com")
            let cookie = try await client.login("names@example.com").cookie
            let device = try PasskeyTests.authenticator()

            let flooded = try await client.registerPasskey(device, cookie: cookie, name: Self.flood)
            let problem = expectProblem(flooded, .badRequest)
            #expect((problem["errors"] as? [[String: Any]])?.first?["reason"] as? String == "too_long")

            let options = try await client.post("/v1/passkeys/register/options", [:], headers: cookieHeaders(cookie))
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            var credential = try device.registration(challenge: challenge)
            var response = credential["response"] as? [String: Any] ?? [:]
            response["transports"] =
                ["usb", "usb", String(repeating: "x", count: 5_000), Self.flood, "Hybrid", "future-transport"]
                + (0..<100).map { "t\($0)" }
            credential["response"] = response
            credential["name"] = "Laptop " + String(repeating: "é", count: 40)
            let registered = try await client.post("/v1/passkeys/register/verify", credential, headers: cookieHeaders(cookie))
            #expect(registered.status == .created, "\(text(registered))")
            #expect(object(registered)["transports"] as? [String] == ["usb", "future-transport", "t0", "t1", "t2", "t3", "t4", "t5"])
        }
        let event = try #require(try harness.events(PasskeyRegistered.self).first)
        #expect(event.transports.count == 8)
        #expect(event.name.utf8.count == 87)
    }

    /// Threat: a client-chosen `X-Request-Id` became the `request_id` of audit events. Events carry the server's id
    /// (the one in the response header), whatever the client sends.
    @Test func eventsCarryTheServerRequestIDNotTheClients() async throws {
        let harness = try Harness()
        try await harness.run { client in
            _ = try await client.register("rid@example.com")
            let login = try await client.login("rid@example.com", headers: [.xRequestID: "forged-audit-id"])
            #expect(login.status == .ok)
            let header = try #require(login.response.headers[.xRequestID])
            #expect(header != "forged-audit-id" && header.utf8.count == 22)
            let ids = try harness.recorded(LoginSucceeded.type).compactMap { $0.request.requestID }
            #expect(ids == [header])
        }
    }
}
