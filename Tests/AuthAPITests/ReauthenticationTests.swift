import AuthAPI
import AuthCore
import AuthCrypto
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import OTP
import ProjectionRebuild
import Testing

/// Recent authentication for sensitive changes, and a new session token on every change of assurance level, over
/// the live server.
@Suite struct ReauthenticationTests {
    static let password = "correct horse battery"

    /// A stolen (or borrowed) aal1 session whose login is older than the window can plant neither a passkey nor a
    /// TOTP factor until somebody re-enters the password; a wrong password is a recorded failure.
    @Test func staleAAL1SessionCannotPlantFactors() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            let auth = MFATests.bearer(login.cookie)
            harness.clock.advance(seconds: 301)
            for (path, method) in [("/v1/passkeys/register/options", HTTPRequest.Method.post), ("/v1/mfa/totp/enroll", .post),
                                   ("/v1/mfa/backup-codes", .post), ("/v1/passkeys/abc", .delete), ("/v1/mfa/totp", .delete)] {
                let refused = try await client.execute(uri: path, method: method, headers: json + auth, body: body([:]))
                let problem = expectProblem(refused, .forbidden)
                #expect(problem["type"] as? String == "urn:authd:problem:reauthentication-required", "\(path)")
                #expect(problem["reauthenticate"] as? String == "/v1/session/reauthenticate" && problem["max_age"] as? Int == 300)
            }
            #expect(try harness.events(MFATOTPEnrollmentStarted.self).isEmpty)

            let wrong = try await client.post("/v1/session/reauthenticate", ["password": "not the password"], headers: auth)
            #expect(expectProblem(wrong, .forbidden)["type"] as? String == "urn:authd:problem:wrong-password")
            #expect(try harness.events(LoginFailed.self).map(\.reason) == ["bad_reauth_password"])
            expectProblem(try await client.post("/v1/mfa/totp/enroll", [:], headers: auth), .forbidden)

            let again = try await client.post("/v1/session/reauthenticate", ["password": Self.password], headers: auth)
            #expect(again.status == .ok, "\(text(again))")
            #expect(object(again)["aal"] as? String == "aal1" && object(again)["reauth_expires_at"] is String)
            #expect(try await client.post("/v1/mfa/totp/enroll", [:], headers: auth).status == .ok)
            #expect(try await client.post("/v1/passkeys/register/options", [:], headers: auth).status == .ok)

            // The window closes again.
            harness.clock.advance(seconds: 300)
            expectProblem(try await client.post("/v1/passkeys/register/options", [:], headers: auth), .forbidden)
        }
        let reauth = try harness.events(SessionReauthenticated.self)
        #expect(reauth.map(\.method) == ["password"])
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }

    /// A fresh login counts as recent authentication: no extra step right after logging in.
    @Test func freshLoginIsRecent() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            harness.clock.advance(seconds: 299)
            let enroll = try await client.post("/v1/mfa/totp/enroll", [:], headers: MFATests.bearer(login.accessToken))
            #expect(enroll.status == .ok, "\(text(enroll))")
        }
    }

    /// Turning TOTP on can end every other session (`revoke_other_sessions`), so that a session somebody else
    /// holds does not outlive the new factor.
    @Test func enablingTOTPCanRevokeOtherSessions() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let other = try await client.login("ada@example.com")
            let mine = try await client.login("ada@example.com")
            let auth = MFATests.bearer(mine.cookie)
            let enroll = try await client.post("/v1/mfa/totp/enroll", [:], headers: auth)
            let secret = try Base32.decode(try #require(object(enroll)["secret"] as? String))
            let confirm = try await client.post(
                "/v1/mfa/totp/confirm", ["code": try MFATests.code(secret, harness), "revoke_other_sessions": true], headers: auth)
            #expect(confirm.status == .ok, "\(text(confirm))")
            #expect(object(confirm)["revoked_sessions"] as? Int == 1 && (object(confirm)["backup_codes"] as? [String])?.count == 10)
            expectProblem(try await client.get("/v1/session", cookie: other.cookie), .unauthorized)
            #expect(try await client.get("/v1/session", cookie: mine.cookie).status == .ok)
        }
        #expect(try harness.events(SessionRevoked.self).map(\.reason) == ["others_revoked"])
    }

    /// Re-authentication with a passkey: options bound to the caller, a user-verifying assertion raises the aal1
    /// session to aal2 with a new token; the old token is dead; a login challenge cannot be used for it.
    @Test func passkeyReauthenticationRaisesAndRotates() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            let device = try PasskeyTests.authenticator()
            #expect(try await client.registerPasskey(device, cookie: login.cookie).status == .created)
            harness.clock.advance(seconds: 301)
            expectProblem(try await client.post("/v1/mfa/totp/enroll", [:], headers: cookieHeaders(login.cookie)), .forbidden)

            // A login challenge is not a re-authentication challenge.
            let loginOptions = try await client.post("/v1/login/passkey/options", [:])
            let loginChallenge = Encoding.fromBase64URL(object(loginOptions)["challenge"] as? String ?? "") ?? []
            let misused = try await client.post(
                "/v1/session/reauthenticate/passkey/verify",
                try device.assertion(challenge: loginChallenge, signCount: 1, userHandle: Array(userID.utf8)), headers: cookieHeaders(login.cookie))
            expectProblem(misused, .badRequest)

            let options = try await client.post("/v1/session/reauthenticate/passkey/options", [:], headers: cookieHeaders(login.cookie))
            #expect(options.status == .ok, "\(text(options))")
            #expect((object(options)["allowCredentials"] as? [[String: Any]])?.count == 1)
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            let verified = try await client.post(
                "/v1/session/reauthenticate/passkey/verify", try device.assertion(challenge: challenge, signCount: 2, userHandle: nil),
                headers: cookieHeaders(login.cookie))
            #expect(verified.status == .ok, "\(text(verified))")
            #expect(object(verified)["aal"] as? String == "aal2")
            let rotated = Login(response: verified).cookie
            #expect(!rotated.isEmpty && rotated != login.cookie)
            expectProblem(try await client.get("/v1/session", cookie: login.cookie), .unauthorized)
            #expect(try await client.post("/v1/mfa/totp/enroll", [:], headers: cookieHeaders(rotated)).status == .ok)
        }
        #expect(try harness.events(SessionReauthenticated.self).map(\.method) == ["passkey"])
        #expect(try harness.events(SessionTokenRotated.self).map(\.reason) == ["reauthentication"])
        #expect(try harness.events(PasskeyCounterAdvanced.self).count == 1)
    }

    /// `--reauth-window` sets the window.
    @Test func windowIsASetting() async throws {
        let harness = try Harness { $0.configuration.reauthWindow = 60 }
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            harness.clock.advance(seconds: 61)
            let refused = try await client.post("/v1/mfa/totp/enroll", [:], headers: MFATests.bearer(login.cookie))
            #expect(expectProblem(refused, .forbidden)["max_age"] as? Int == 60)
        }
    }

    /// Step-up gives the session a new token: a session-token bearer gets it in the body, a cookie caller in
    /// `Set-Cookie`, and the old token is dead (no token carries two assurance levels).
    @Test func stepUpRotatesTheSessionToken() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await MFATests.enroll(client, harness)
            harness.clock.advance(seconds: 30)
            // A cookie session at aal1 cannot exist for an MFA user; take the aal2 session's cookie from an MFA login
            // in cookie mode, and let aal2 age.
            let first = try await client.login(MFATests.email)
            let mfaToken = try #require(first.fields["mfa_token"] as? String)
            let cookieLogin = Login(
                response: try await client.post(
                    "/v1/login/mfa", ["mfa_token": mfaToken, "code": try MFATests.code(enrolled.secret, harness)]))
            let oldCookie = cookieLogin.cookie
            #expect(!oldCookie.isEmpty)
            harness.clock.advance(seconds: 601)

            // Bearer session token: the new token in the body.
            let bearerStepUp = try await client.post(
                "/v1/mfa/step-up", ["backup_code": enrolled.backupCodes[0]], headers: MFATests.bearer(oldCookie))
            #expect(bearerStepUp.status == .ok, "\(text(bearerStepUp))")
            let newToken = try #require(object(bearerStepUp)["session_token"] as? String)
            #expect(newToken != oldCookie)
            expectProblem(try await client.get("/v1/session", bearer: oldCookie), .unauthorized)
            let current = try await client.get("/v1/session", bearer: newToken)
            #expect(current.status == .ok && object(current)["aal"] as? String == "aal2")

            // Cookie: the new token in Set-Cookie.
            harness.clock.advance(seconds: 30)
            let cookieStepUp = try await client.execute(
                uri: "/v1/mfa/step-up", method: .post,
                headers: json + [.cookie: "__Host-session=\(newToken)", .origin: Harness.origin],
                body: body(["code": try MFATests.code(enrolled.secret, harness)]))
            #expect(cookieStepUp.status == .ok, "\(text(cookieStepUp))")
            let rotated = Login(response: cookieStepUp).cookie
            #expect(!rotated.isEmpty && rotated != newToken && object(cookieStepUp)["session_token"] == nil)
            expectProblem(try await client.get("/v1/session", cookie: newToken), .unauthorized)
            #expect(try await client.get("/v1/session", cookie: rotated).status == .ok)

            // Access token: a new access token, same session.
            let access = try await client.post(
                "/v1/mfa/step-up", ["backup_code": enrolled.backupCodes[1]], headers: enrolled.bearer)
            #expect(access.status == .ok, "\(text(access))")
            #expect((object(access)["access_token"] as? String)?.isEmpty == false)
        }
        #expect(try harness.events(SessionTokenRotated.self).map(\.reason) == ["step_up", "step_up", "step_up"])
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }
}

/// Joins header fields.
func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
    var fields = lhs
    fields.append(contentsOf: rhs)
    return fields
}
