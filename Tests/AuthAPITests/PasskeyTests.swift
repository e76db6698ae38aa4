import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Passkey registration and login end to end over the live server, with a software authenticator producing real
/// ES256 responses.
@Suite struct PasskeyTests {
    static let rpID = "app.example.com"

    static func harness(counterPolicy: ServerConfiguration.WebAuthnCounterPolicy = .reject) throws -> Harness {
        try Harness { options in
            options.configuration.rpID = rpID
            options.configuration.webauthnCounterPolicy = counterPolicy
        }
    }

    static func authenticator() throws -> PasskeyAuthenticator {
        try PasskeyAuthenticator(rpId: rpID, origin: Harness.origin)
    }

    @Test func registerThenLoginDiscoverableAndWithEmail() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            let cookie = try await client.login("ada@example.com").cookie
            let device = try Self.authenticator()

            let registered = try await client.registerPasskey(device, cookie: cookie, name: "Laptop")
            #expect(registered.status == .created, "\(text(registered))")
            #expect(object(registered)["name"] as? String == "Laptop")
            #expect(object(registered)["id"] as? String == device.credentialIdText)

            // Discoverable: no email, the user handle identifies the account.
            let login = try await client.passkeyLogin(device, signCount: 1, userHandle: Array(userID.utf8))
            #expect(login.status == .ok, "\(text(login))")
            #expect(object(login)["user_id"] as? String == userID)
            #expect(object(login)["aal"] as? String == "aal2")
            #expect(login.headers[.setCookie]?.hasPrefix("__Host-session=") == true)

            // With an email: allowCredentials lists the passkey; token mode.
            let options = try await client.post("/v1/login/passkey/options", ["email": "ada@example.com"])
            let allow = object(options)["allowCredentials"] as? [[String: Any]] ?? []
            #expect(allow.map { $0["id"] as? String } == [device.credentialIdText])
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            var body = try device.assertion(challenge: challenge, signCount: 2, userHandle: nil, flags: PasskeyAuthenticator.up)
            body["mode"] = "token"
            let tokenLogin = try await client.post("/v1/login/passkey/verify", body)
            #expect(tokenLogin.status == .ok, "\(text(tokenLogin))")
            #expect(object(tokenLogin)["aal"] as? String == "aal1")
            #expect((object(tokenLogin)["access_token"] as? String)?.isEmpty == false)
            #expect((object(tokenLogin)["refresh_token"] as? String)?.isEmpty == false)

            // Discoverable options: empty allow list.
            let discoverable = try await client.post("/v1/login/passkey/options", [:])
            #expect((object(discoverable)["allowCredentials"] as? [Any])?.isEmpty == true)
            #expect(object(discoverable)["rpId"] as? String == Self.rpID)

            // The registration options now exclude the passkey.
            let again = try await client.post("/v1/passkeys/register/options", [:], headers: cookieHeaders(cookie))
            let exclude = object(again)["excludeCredentials"] as? [[String: Any]] ?? []
            #expect(exclude.map { $0["id"] as? String } == [device.credentialIdText])
            let params = (object(again)["pubKeyCredParams"] as? [[String: Any]] ?? []).map { $0["alg"] as? Int }
            #expect(params == [-7, -8, -257])
            #expect((object(again)["authenticatorSelection"] as? [String: Any])?["residentKey"] as? String == "preferred")
        }
        let registered = try harness.events(PasskeyRegistered.self)
        #expect(registered.count == 1)
        #expect(registered.first?.algorithm == -7)
        #expect(registered.first?.transports == ["internal"])
        let logins = try harness.events(LoginSucceeded.self).filter { $0.method == "passkey" }
        #expect(logins.count == 2)
        let advanced = try harness.events(PasskeyCounterAdvanced.self)
        #expect(advanced.map { [$0.oldCount, $0.newCount] } == [[0, 1], [1, 2]])
        let streams = try harness.recorded(PasskeyRegistered.type).first?.streams.map(\.description) ?? []
        #expect(streams.contains { $0.hasPrefix("user:") } && streams.contains { $0.hasPrefix("credential:") })
    }

    @Test func failedVerificationsAre400Problems() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            let userID = try await client.register("bob@example.com")
            let cookie = try await client.login("bob@example.com").cookie
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            let handle = Array(userID.utf8)

            let tampered = try await client.passkeyLogin(device, signCount: 1, userHandle: handle, tamper: true)
            #expect(expectProblem(tampered, .badRequest)["code"] as? String == "signature_invalid", "\(text(tampered))")

            let wrongOrigin = try await client.passkeyLogin(device, signCount: 1, userHandle: handle, origin: "https://evil.example")
            let originProblem = expectProblem(wrongOrigin, .badRequest)
            #expect(originProblem["type"] as? String == "urn:authd:problem:webauthn")
            #expect(originProblem["code"] as? String == "origin_not_allowed")

            let wrongRP = try await client.passkeyLogin(device, signCount: 1, userHandle: handle, rpId: "evil.example")
            #expect(expectProblem(wrongRP, .badRequest)["code"] as? String == "rp_id_hash_mismatch")

            let foreign = try Self.authenticator()
            let unknown = try await client.passkeyLogin(foreign, signCount: 1, userHandle: handle)
            #expect(expectProblem(unknown, .badRequest)["code"] as? String == "unknown_credential")

            let noHandle = try await client.passkeyLogin(device, signCount: 1, userHandle: nil)
            #expect(expectProblem(noHandle, .badRequest)["code"] as? String == "user_handle_missing")

            let otherHandle = try await client.passkeyLogin(device, signCount: 1, userHandle: Array("usr_someoneelse".utf8))
            #expect(expectProblem(otherHandle, .badRequest)["code"] as? String == "user_handle_mismatch")

            // A registration with a wrong origin fails too, with the WebAuthn error's code.
            let device2 = try Self.authenticator()
            let badRegistration = try await client.registerPasskey(device2, cookie: cookie, origin: "https://evil.example")
            #expect(expectProblem(badRegistration, .badRequest)["code"] as? String == "origin_not_allowed")
        }
        #expect(try harness.events(LoginSucceeded.self).filter { $0.method == "passkey" }.isEmpty)
        // Refused assertions of a registered passkey are logged (tampered, origin, RP ID, no handle, other handle).
        let failures = try harness.events(LoginFailed.self).filter { $0.method == "passkey" }
        #expect(failures.count == 5)
        #expect(failures.allSatisfy { $0.reason == "passkey_rejected" && $0.userID?.hasPrefix("usr_") == true })
    }

    @Test("passkey bodies get the checks and problems of every other body; client data is parsed strictly")
    func passkeyBodiesAreCheckedStrictly() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            func raw(_ body: String) async throws -> [String: Any] {
                let response = try await client.execute(
                    uri: "/v1/login/passkey/verify", method: .post, headers: json, body: ByteBuffer(string: body))
                return expectProblem(response, .badRequest)
            }
            #expect(try await raw(#"{"mode":"cookie","mode":"token"}"#)["detail"] as? String == "duplicate field 'mode'")
            #expect(try await raw("[1,2]")["detail"] as? String == "request body must be a JSON object")
            #expect(try await raw("{\"mode\":")["detail"] as? String == "request body is not valid JSON (error at byte 8)")
            #expect(try await raw(" ")["detail"] as? String == "request body is empty; expected a JSON object")
            let wrongType = try await raw(#"{"mode":5}"#)
            #expect(wrongType["detail"] as? String == "field 'mode' must be a string")

            // Client data naming its challenge twice is malformed (JSONSerialization took the last one).
            let options = try await client.post("/v1/login/passkey/options", [:])
            let challenge = object(options)["challenge"] as? String ?? ""
            let clientData = #"{"type":"webauthn.get","challenge":"AAAA","challenge":"\#(challenge)","origin":"\#(Harness.origin)"}"#
            let credential: [String: Any] = [
                "id": "AAAA", "rawId": "AAAA", "type": "public-key",
                "response": [
                    "clientDataJSON": Encoding.base64URL(Array(clientData.utf8)), "authenticatorData": "AAAA", "signature": "AAAA",
                ],
            ]
            let duplicated = try await client.post("/v1/login/passkey/verify", credential)
            let problem = expectProblem(duplicated, .badRequest)
            #expect(problem["code"] as? String == "malformed_response", "\(text(duplicated))")
            #expect((problem["detail"] as? String)?.hasSuffix("clientDataJSON does not name a challenge") == true, "\(text(duplicated))")
        }
    }

    @Test func challengesAreSingleUseAndExpire() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            let userID = try await client.register("cy@example.com")
            let cookie = try await client.login("cy@example.com").cookie
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            let handle = Array(userID.utf8)

            let options = try await client.post("/v1/login/passkey/options", [:])
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            #expect(challenge.count == 32)
            let first = try await client.post(
                "/v1/login/passkey/verify", try device.assertion(challenge: challenge, signCount: 1, userHandle: handle))
            #expect(first.status == .ok, "\(text(first))")
            let replay = try await client.post(
                "/v1/login/passkey/verify", try device.assertion(challenge: challenge, signCount: 2, userHandle: handle))
            #expect(expectProblem(replay, .badRequest)["code"] as? String == "challenge_unknown")

            let late = try await client.post("/v1/login/passkey/options", [:])
            let lateChallenge = Encoding.fromBase64URL(object(late)["challenge"] as? String ?? "") ?? []
            harness.clock.advance(seconds: 301)
            let expired = try await client.post(
                "/v1/login/passkey/verify", try device.assertion(challenge: lateChallenge, signCount: 3, userHandle: handle))
            #expect(expectProblem(expired, .badRequest)["code"] as? String == "challenge_expired")

            // A challenge the server never issued.
            let made = try await client.post(
                "/v1/login/passkey/verify", try device.assertion(challenge: SecureRandom.bytes(32), signCount: 4, userHandle: handle))
            #expect(expectProblem(made, .badRequest)["code"] as? String == "challenge_unknown")
        }
    }

    @Test func counterRegressionRejectedIsRecorded() async throws {
        let harness = try Self.harness(counterPolicy: .reject)
        try await harness.run { client in
            let userID = try await client.register("dee@example.com")
            let cookie = try await client.login("dee@example.com").cookie
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            let handle = Array(userID.utf8)
            #expect(try await client.passkeyLogin(device, signCount: 10, userHandle: handle).status == .ok)
            let regressed = try await client.passkeyLogin(device, signCount: 7, userHandle: handle)
            #expect(expectProblem(regressed, .badRequest)["code"] as? String == "counter_regressed", "\(text(regressed))")
            // The stored counter is unchanged: 11 still works.
            #expect(try await client.passkeyLogin(device, signCount: 11, userHandle: handle).status == .ok)
        }
        let events = try harness.events(PasskeyCounterRegressed.self)
        #expect(events.map { [$0.oldCount, $0.newCount] } == [[10, 7]])
        #expect(events.first?.policy == "reject")
        #expect(try harness.events(LoginSucceeded.self).filter { $0.method == "passkey" }.count == 2)
    }

    @Test func counterRegressionWarnSucceedsAndIsRecorded() async throws {
        let harness = try Self.harness(counterPolicy: .warn)
        try await harness.run { client in
            let userID = try await client.register("eve@example.com")
            let cookie = try await client.login("eve@example.com").cookie
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            let handle = Array(userID.utf8)
            #expect(try await client.passkeyLogin(device, signCount: 10, userHandle: handle).status == .ok)
            let regressed = try await client.passkeyLogin(device, signCount: 7, userHandle: handle)
            #expect(regressed.status == .ok, "\(text(regressed))")
            let list = try await client.get("/v1/passkeys", cookie: cookie)
            let passkeys = object(list)["passkeys"] as? [[String: Any]] ?? []
            #expect(passkeys.first?["sign_count"] as? Int == 7)
        }
        let events = try harness.events(PasskeyCounterRegressed.self)
        #expect(events.map { [$0.oldCount, $0.newCount] } == [[10, 7]])
        #expect(events.first?.policy == "warn")
        #expect(try harness.events(LoginSucceeded.self).filter { $0.method == "passkey" }.count == 2)
    }

    @Test func credentialIDsAreUniqueAcrossUsers() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            try await client.register("fay@example.com")
            try await client.register("gus@example.com")
            let fay = try await client.login("fay@example.com").cookie
            let gus = try await client.login("gus@example.com").cookie
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: fay).status == .created)
            let taken = try await client.registerPasskey(device, cookie: gus)
            expectProblem(taken, .conflict)
            // Registration needs a session.
            let anonymous = try await client.post("/v1/passkeys/register/options", [:])
            expectProblem(anonymous, .unauthorized)
        }
    }

    @Test func renameListAndDelete() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            let userID = try await client.register("hal@example.com")
            try await client.register("ivy@example.com")
            let cookie = try await client.login("hal@example.com").cookie
            let other = try await client.login("ivy@example.com").cookie
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie, name: "Phone").status == .created)
            let path = "/v1/passkeys/\(device.credentialIdText)"

            let renamed = try await client.execute(
                uri: path, method: .patch, headers: cookieHeaders(cookie).merging(json), body: body(["name": "Work phone"]))
            #expect(renamed.status == .ok, "\(text(renamed))")
            #expect(object(renamed)["name"] as? String == "Work phone")
            let empty = try await client.execute(
                uri: path, method: .patch, headers: cookieHeaders(cookie).merging(json), body: body(["name": "  "]))
            expectProblem(empty, .badRequest)

            let list = try await client.get("/v1/passkeys", cookie: cookie)
            #expect((object(list)["passkeys"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Work phone"])

            // Another user cannot touch it.
            let foreignDelete = try await client.execute(uri: path, method: .delete, headers: cookieHeaders(other))
            expectProblem(foreignDelete, .notFound)

            let deleted = try await client.execute(uri: path, method: .delete, headers: cookieHeaders(cookie))
            #expect(deleted.status == .noContent)
            let after = try await client.get("/v1/passkeys", cookie: cookie)
            #expect((object(after)["passkeys"] as? [Any])?.isEmpty == true)
            let login = try await client.passkeyLogin(device, signCount: 1, userHandle: Array(userID.utf8))
            #expect(expectProblem(login, .badRequest)["code"] as? String == "unknown_credential")
        }
        #expect(try harness.events(PasskeyRenamed.self).map(\.name) == ["Work phone"])
        #expect(try harness.events(PasskeyDeleted.self).count == 1)
    }

    @Test func passkeyNamesWithControlCharactersAreRefused() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            try await client.register("kim@example.com")
            let cookie = try await client.login("kim@example.com").cookie
            // Registration with a terminal escape (ESC [2J clears the auditor's screen) in the name.
            let hostile = try await client.registerPasskey(try Self.authenticator(), cookie: cookie, name: "Phone\u{1B}[2J")
            let problem = expectProblem(hostile, .badRequest)
            #expect((problem["errors"] as? [[String: Any]])?.first?["reason"] as? String == "control_character", "\(text(hostile))")
            let device = try Self.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie, name: "Phone").status == .created)
            let path = "/v1/passkeys/\(device.credentialIdText)"
            for name in ["a\u{7}b", "tab\there", "c1\u{9B}31m", "del\u{7F}", "\u{202E}enohp", "iso\u{2066}late"] {
                let renamed = try await client.execute(
                    uri: path, method: .patch, headers: cookieHeaders(cookie).merging(json), body: body(["name": name]))
                expectProblem(renamed, .badRequest)
            }
            let fine = try await client.execute(
                uri: path, method: .patch, headers: cookieHeaders(cookie).merging(json), body: body(["name": "Téléphone ☎"]))
            #expect(fine.status == .ok, "\(text(fine))")
        }
        #expect(try harness.events(PasskeyRenamed.self).map(\.name) == ["Téléphone ☎"])
        #expect(try harness.events(PasskeyRegistered.self).map(\.name) == ["Phone"])
    }

    @Test func userVerificationRequiredRefusesPresenceOnly() async throws {
        let harness = try Harness { options in
            options.configuration.rpID = Self.rpID
            options.configuration.webauthnUserVerification = .required
        }
        try await harness.run { client in
            let userID = try await client.register("joy@example.com")
            let cookie = try await client.login("joy@example.com").cookie
            let device = try Self.authenticator()
            let options = try await client.post("/v1/passkeys/register/options", [:], headers: cookieHeaders(cookie))
            #expect((object(options)["authenticatorSelection"] as? [String: Any])?["userVerification"] as? String == "required")
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            let loginOptions = try await client.post("/v1/login/passkey/options", [:])
            let challenge = Encoding.fromBase64URL(object(loginOptions)["challenge"] as? String ?? "") ?? []
            let presenceOnly = try await client.post(
                "/v1/login/passkey/verify",
                try device.assertion(challenge: challenge, signCount: 1, userHandle: Array(userID.utf8), flags: PasskeyAuthenticator.up))
            #expect(expectProblem(presenceOnly, .badRequest)["code"] as? String == "user_verification_required")
        }
    }

    @Test func registrationChallengeIsBoundToTheUser() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            try await client.register("kim@example.com")
            try await client.register("lou@example.com")
            let kim = try await client.login("kim@example.com").cookie
            let lou = try await client.login("lou@example.com").cookie
            let device = try Self.authenticator()
            let options = try await client.post("/v1/passkeys/register/options", [:], headers: cookieHeaders(kim))
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            let stolen = try await client.post(
                "/v1/passkeys/register/verify", try device.registration(challenge: challenge), headers: cookieHeaders(lou))
            #expect(expectProblem(stolen, .badRequest)["code"] as? String == "challenge_unknown")
            // A login challenge cannot be used for registration either.
            let login = try await client.post("/v1/login/passkey/options", [:])
            let loginChallenge = Encoding.fromBase64URL(object(login)["challenge"] as? String ?? "") ?? []
            let wrongCeremony = try await client.post(
                "/v1/passkeys/register/verify", try device.registration(challenge: loginChallenge), headers: cookieHeaders(kim))
            #expect(expectProblem(wrongCeremony, .badRequest)["code"] as? String == "challenge_unknown")
        }
        #expect(try harness.events(PasskeyRegistered.self).isEmpty)
    }

    @Test func demoPageIsServedWithCSP() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.headers[.cacheControl] == "no-cache")
            #expect(text(page).contains("/demo.js"))
            let script = try await client.execute(uri: "/demo.js", method: .get)
            #expect(script.status == .ok)
            #expect(text(script).contains("navigator.credentials.create"))
        }
    }

    /// The page, script and style sheet are the resource files byte for byte (read from the bundle at startup),
    /// each with its type and the page's CSP.
    @Test func demoFilesAreTheResourceFilesByteForByte() async throws {
        let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/AuthAPI/Resources").standardized
        let harness = try Self.harness()
        try await harness.run { client in
            for (path, file, type) in [
                ("/", "demo.html", "text/html; charset=utf-8"), ("/demo.js", "demo.js", "text/javascript; charset=utf-8"),
                ("/demo.css", "demo.css", "text/css; charset=utf-8"),
            ] {
                let expected = try Data(contentsOf: resources.appendingPathComponent(file))
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == type)
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
                #expect(response.headers[HTTPFields.Element.Name("Cross-Origin-Opener-Policy")!] == "same-origin")
                #expect(!expected.isEmpty)
                #expect(Data(response.body.readableBytesView) == expected, "\(path) differs from \(file)")
            }
        }
    }
}

/// Headers of a cookie-authenticated request that passes the CSRF check.
func cookieHeaders(_ cookie: String) -> HTTPFields {
    [.cookie: "__Host-session=\(cookie)", .origin: Harness.origin]
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var out = self
        out.append(contentsOf: other)
        return out
    }
}

extension TestClientProtocol {
    /// Runs the registration ceremony for the session `cookie`.
    func registerPasskey(_ device: PasskeyAuthenticator, cookie: String, name: String? = nil, origin: String? = nil) async throws
        -> TestResponse
    {
        let options = try await post("/v1/passkeys/register/options", [:], headers: cookieHeaders(cookie))
        let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
        var credential = try device.registration(challenge: challenge, origin: origin)
        if let name { credential["name"] = name }
        return try await post("/v1/passkeys/register/verify", credential, headers: cookieHeaders(cookie))
    }

    /// Runs a discoverable passkey login (cookie mode).
    func passkeyLogin(
        _ device: PasskeyAuthenticator, signCount: UInt32, userHandle: [UInt8]?, origin: String? = nil, rpId: String? = nil,
        tamper: Bool = false
    ) async throws -> TestResponse {
        let options = try await post("/v1/login/passkey/options", [:])
        let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
        var credential = try device.assertion(
            challenge: challenge, signCount: signCount, userHandle: userHandle, origin: origin, rpId: rpId, tamper: tamper)
        credential["mode"] = "cookie"
        return try await post("/v1/login/passkey/verify", credential)
    }
}
