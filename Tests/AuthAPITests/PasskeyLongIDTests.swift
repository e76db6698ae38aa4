import AuthAPI
import AuthCore
import AuthCrypto
import EventLog
import Hummingbird
import HummingbirdTesting
import ProjectionRebuild
import Testing

/// Credential ids up to the WebAuthn maximum (1,023 bytes: 1,364 base64url characters, beyond LMDB's 511-byte keys).
@Suite struct PasskeyLongIDTests {
    /// Threat: ids of 364–1,023 bytes parsed but overflowed the passkey table keys: every registration was a 500.
    @Test(arguments: [1_023, 400, 364, 16])
    func credentialIDOfMaximumLengthRegistersLogsInRenamesAndDeletes(length: Int) async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            let userID = try await client.register("long@example.com")
            let cookie = try await client.login("long@example.com").cookie
            let device = try PasskeyAuthenticator(rpId: PasskeyTests.rpID, origin: Harness.origin, credentialIdLength: length)
            #expect(device.credentialIdText.utf8.count == (length * 4 + 2) / 3)

            let registered = try await client.registerPasskey(device, cookie: cookie, name: "Long")
            #expect(registered.status == .created, "\(text(registered))")
            #expect(object(registered)["id"] as? String == device.credentialIdText)
            // The same id again is a 409, not a second record.
            let again = try await client.registerPasskey(device, cookie: cookie)
            #expect(expectProblem(again, .conflict)["type"] as? String == "urn:authd:problem:credential-taken")

            // Discoverable login, then login for the email (allowCredentials names the long id).
            let login = try await client.passkeyLogin(device, signCount: 1, userHandle: Array(userID.utf8))
            #expect(login.status == .ok, "\(text(login))")
            let options = try await client.post("/v1/login/passkey/options", ["email": "long@example.com"])
            let allow = object(options)["allowCredentials"] as? [[String: Any]] ?? []
            #expect(allow.map { $0["id"] as? String } == [device.credentialIdText])
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            var assertion = try device.assertion(challenge: challenge, signCount: 2, userHandle: nil, flags: PasskeyAuthenticator.up)
            assertion["mode"] = "token"
            let second = try await client.post("/v1/login/passkey/verify", assertion)
            #expect(second.status == .ok, "\(text(second))")

            // Listed, renamed and deleted by its id.
            let listed = try await client.execute(uri: "/v1/passkeys", method: .get, headers: cookieHeaders(cookie))
            #expect((object(listed)["passkeys"] as? [[String: Any]])?.map { $0["id"] as? String } == [device.credentialIdText])
            let path = "/v1/passkeys/\(device.credentialIdText)"
            let renamed = try await client.execute(
                uri: path, method: .patch, headers: cookieHeaders(cookie).merging([.contentType: "application/json"]),
                body: body(["name": "Renamed"]))
            #expect(renamed.status == .ok, "\(text(renamed))")
            #expect(object(renamed)["name"] as? String == "Renamed")
            let deleted = try await client.execute(uri: path, method: .delete, headers: cookieHeaders(cookie))
            #expect(deleted.status == .noContent, "\(text(deleted))")
            let empty = try await client.execute(uri: "/v1/passkeys", method: .get, headers: cookieHeaders(cookie))
            #expect((object(empty)["passkeys"] as? [Any])?.isEmpty == true)

            // The events name the credential's stream (a digest for ids too long for an index key), and the log
            // rebuilds to the live projections byte for byte.
            let registeredEvents = try harness.recorded(PasskeyRegistered.type)
            let expectedStream = PasskeysProjection.stream(device.credentialIdText)
            #expect(registeredEvents.first?.streams.contains(expectedStream) == true)
            if device.credentialIdText.utf8.count > PasskeysProjection.maxLiteralStreamIDLength { #expect(expectedStream.id.hasPrefix("sha256:")) } else { #expect(expectedStream.id == device.credentialIdText) }
            #expect(try harness.events(PasskeyCounterAdvanced.self).count == 2)
            #expect(try harness.events(PasskeyDeleted.self).count == 1)
            let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
            #expect(report.ok)
        }
    }

    /// Over WebAuthn's maximum (1,024 bytes) is a 400 problem, nothing recorded.
    @Test func credentialIDOverTheMaximumIsRefused() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            _ = try await client.register("toolong@example.com")
            let cookie = try await client.login("toolong@example.com").cookie
            let device = try PasskeyAuthenticator(rpId: PasskeyTests.rpID, origin: Harness.origin, credentialIdLength: 1_024)
            let refused = try await client.registerPasskey(device, cookie: cookie)
            #expect(expectProblem(refused, .badRequest)["type"] as? String == "urn:authd:problem:webauthn")
        }
        #expect(try harness.events(PasskeyRegistered.self).isEmpty)
    }
}
