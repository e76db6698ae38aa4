import AuthAPI
import AuthCore
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `--require-verified-email` on the passkey login over the live server (the password login's test is
/// `AccountLifecycleTests.requiredVerificationRefusesLoginOnlyAfterThePassword`; external logins are
/// `ExternalLoginTests` and Tests/python/test_oidc_provider_mock.py).
@Suite struct RequiredVerificationTests {
    static let email = "ada@example.com"

    @Test func passkeyLoginIsRefusedOnlyAfterTheAssertionVerifies() async throws {
        let harness = try Harness { options in
            options.configuration.rpID = PasskeyTests.rpID
            options.configuration.requireVerifiedEmail = true
        }
        try await harness.run { client in
            let mailbox = try AccountLifecycleTests.Mailbox(harness)
            let userID = try await client.register(Self.email)
            let handle = Array(userID.utf8)
            // No login of this account can make a session yet, so the session that registers the passkey is made
            // by the command a login runs.
            let token = OpaqueToken.generate()
            try await harness.store.run(
                CreateSession(
                    userID: userID, sessionID: Identifier.session(), tokenHash: token.hash, method: "password", aal: "aal1", mode: "cookie",
                    lifetime: 3_600, idleTimeout: 1_800, refresh: nil, request: .none))
            let device = try PasskeyTests.authenticator()
            #expect(try await client.registerPasskey(device, cookie: token.text).status == .created)

            // An assertion that does not verify gets the WebAuthn answer, not the verification one.
            let tampered = try await client.passkeyLogin(device, signCount: 1, userHandle: handle, tamper: true)
            #expect(expectProblem(tampered, .badRequest)["code"] as? String == "signature_invalid")
            let refused = try await client.passkeyLogin(device, signCount: 2, userHandle: handle)
            #expect(expectProblem(refused, .forbidden)["type"] as? String == "urn:authd:problem:email-not-verified", "\(text(refused))")
            #expect(refused.headers[.setCookie] == nil)
            // Nothing was recorded for the refusal: no session beyond the one made above, no counter advance.
            #expect(try harness.events(SessionCreated.self).count == 1)
            #expect(try harness.events(PasskeyCounterAdvanced.self).isEmpty)

            let (link, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            #expect(try await client.post("/v1/email/verify", ["token": link]).status == .ok)
            let login = try await client.passkeyLogin(device, signCount: 3, userHandle: handle)
            #expect(login.status == .ok, "\(text(login))")
            #expect(object(login)["user_id"] as? String == userID)
            try AccountLifecycleTests.checkLog(harness, tokens: [link, token.text])
        }
    }
}
