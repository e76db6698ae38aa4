import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Notifications
import OTP
import ProjectionRebuild
import Testing

/// TOTP, backup codes, MFA login, step-up and recovery end to end over the live server, with the harness's manual
/// clock driving TOTP steps, the step-up window and the recovery waiting period.
@Suite struct MFATests {
    static let email = "grace@example.com"

    /// An account with TOTP enabled: its TOTP seed, backup codes, and the bearer access token of an aal2 session.
    struct Enrolled {
        var userID: String
        var secret: [UInt8]
        var backupCodes: [String]
        var bearer: HTTPFields
    }

    /// The TOTP code of `secret` now.
    static func code(_ secret: [UInt8], _ harness: Harness) throws -> String {
        try TOTP().code(secret: secret, at: harness.clock.now().seconds)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// Registers, logs in (token mode), enrolls and confirms TOTP, then logs in again with the second factor.
    static func enroll(_ client: some TestClientProtocol, _ harness: Harness, email: String = email, register: Bool = true) async throws
        -> Enrolled
    {
        let userID = register ? try await client.register(email) : ""
        let login = try await client.login(email, mode: "token")
        let auth = bearer(login.accessToken)
        let enroll = try await client.post("/v1/mfa/totp/enroll", [:], headers: auth)
        #expect(enroll.status == .ok, "\(text(enroll))")
        let fields = object(enroll)
        let secretText = try #require(fields["secret"] as? String)
        let secret = try Base32.decode(secretText)
        #expect(secret.count == 20)
        let uri = try #require(fields["otpauth_uri"] as? String)
        #expect(uri.hasPrefix("otpauth://totp/") && uri.contains("secret=\(secretText)"))
        #expect((fields["qr_svg"] as? String)?.hasPrefix("<svg") == true)

        let wrong = try await client.post("/v1/mfa/totp/confirm", ["code": "000000"], headers: auth)
        if wrong.status != .ok {  // one chance in a million that 000000 is right
            #expect(expectProblem(wrong, .badRequest)["type"] as? String == "urn:authd:problem:invalid-code")
        }
        let confirm = try await client.post("/v1/mfa/totp/confirm", ["code": try code(secret, harness)], headers: auth)
        #expect(confirm.status == .ok, "\(text(confirm))")
        let codes = try #require(object(confirm)["backup_codes"] as? [String])
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(codes.allSatisfy { BackupCodes.normalize($0) != nil })

        harness.clock.advance(seconds: 30)
        let session = try await mfaLogin(client, harness, email: email, code: try code(secret, harness))
        return Enrolled(userID: userID, secret: secret, backupCodes: codes, bearer: bearer(session.accessToken))
    }

    /// Password login (must ask for MFA), then `POST /v1/login/mfa` with `code` (or `backup`): the session.
    static func mfaLogin(
        _ client: some TestClientProtocol, _ harness: Harness, email: String = email, code: String? = nil, backup: String? = nil,
        agent: String = "TestBrowser/1"
    ) async throws -> Login {
        let first = try await client.login(email, mode: "token", headers: [.userAgent: agent])
        #expect(first.status == .ok)
        #expect(first.fields["mfa_required"] as? Bool == true, "\(text(first.response))")
        #expect(first.fields["session_id"] == nil && first.fields["access_token"] == nil)
        let token = try #require(first.fields["mfa_token"] as? String)
        var body: [String: Any] = ["mfa_token": token]
        if let code { body["code"] = code }
        if let backup { body["backup_code"] = backup }
        let second = try await client.post("/v1/login/mfa", body, headers: [.userAgent: agent])
        return Login(response: second)
    }

    @Test func totpEnrollmentLoginAndReplay() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await Self.enroll(client, harness)
            // The seed is in the log only sealed: the raw bytes appear in no event.
            for event in try harness.recorded(MFATOTPEnrollmentStarted.type) {
                #expect(!event.stored.contains(subsequence: enrolled.secret))
                #expect(try MFATOTPEnrollmentStarted(event).sealedSecret.count == 20 + SecretBox.overhead)
            }
            // The login in `enroll` was aal2, method mfa.
            let logins = try harness.events(LoginSucceeded.self)
            #expect(logins.last?.method == "mfa" && logins.last?.aal == "aal2")

            // The code just used (same step) is refused at the next login, although it is still inside the window.
            let code = try Self.code(enrolled.secret, harness)
            let replay = try await Self.mfaLogin(client, harness, code: code)
            #expect(expectProblem(replay.response, .unauthorized)["type"] as? String == "urn:authd:problem:invalid-code")
            // Next step: accepted.
            harness.clock.advance(seconds: 30)
            let next = try await Self.mfaLogin(client, harness, code: try Self.code(enrolled.secret, harness))
            #expect(next.status == .ok, "\(text(next.response))")
            #expect(next.fields["aal"] as? String == "aal2")

            // An mfa_token is single-use.
            let first = try await client.login(Self.email, mode: "token")
            let token = try #require(first.fields["mfa_token"] as? String)
            harness.clock.advance(seconds: 30)
            let ok = try await client.post("/v1/login/mfa", ["mfa_token": token, "code": try Self.code(enrolled.secret, harness)])
            #expect(ok.status == .ok)
            harness.clock.advance(seconds: 30)
            let again = try await client.post("/v1/login/mfa", ["mfa_token": token, "code": try Self.code(enrolled.secret, harness)])
            #expect(expectProblem(again, .unauthorized)["type"] as? String == "urn:authd:problem:mfa-challenge-invalid")

            // A challenge expires after 5 minutes.
            let late = try await client.login(Self.email, mode: "token")
            harness.clock.advance(seconds: 301)
            let expired = try await client.post(
                "/v1/login/mfa", ["mfa_token": late.fields["mfa_token"] as? String ?? "", "code": try Self.code(enrolled.secret, harness)])
            #expect(expectProblem(expired, .unauthorized)["type"] as? String == "urn:authd:problem:mfa-challenge-invalid")

            // Both factors at once, or neither: 400.
            let both = try await client.login(Self.email, mode: "token")
            let bad = try await client.post(
                "/v1/login/mfa", ["mfa_token": both.fields["mfa_token"] as? String ?? "", "code": "123456", "backup_code": "x"])
            expectProblem(bad, .badRequest)
        }
    }

    @Test func passkeyWithoutUserVerificationNeedsTheSecondFactor() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            let userID = try await client.register(Self.email)
            let device = try PasskeyTests.authenticator()
            let cookie = try await client.login(Self.email).cookie
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            let enrolled = try await Self.enroll(client, harness, register: false)

            // With user verification the passkey is aal2 on its own.
            let verified = try await client.passkeyLogin(device, signCount: 1, userHandle: Array(userID.utf8))
            #expect(verified.status == .ok && object(verified)["aal"] as? String == "aal2", "\(text(verified))")

            // User presence only: one factor, so the account's second factor is asked for.
            let options = try await client.post("/v1/login/passkey/options", [:])
            let challenge = Encoding.fromBase64URL(object(options)["challenge"] as? String ?? "") ?? []
            var credential = try device.assertion(
                challenge: challenge, signCount: 2, userHandle: Array(userID.utf8), flags: PasskeyAuthenticator.up)
            credential["mode"] = "token"
            let presence = try await client.post("/v1/login/passkey/verify", credential)
            #expect(presence.status == .ok)
            #expect(object(presence)["mfa_required"] as? Bool == true && object(presence)["session_id"] == nil, "\(text(presence))")
            harness.clock.advance(seconds: 30)
            let second = try await client.post(
                "/v1/login/mfa", ["mfa_token": object(presence)["mfa_token"] as? String ?? "", "code": try Self.code(enrolled.secret, harness)])
            #expect(second.status == .ok && object(second)["aal"] as? String == "aal2", "\(text(second))")
        }
    }

    @Test func attemptsPerChallengeAreLimited() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await Self.enroll(client, harness)
            harness.clock.advance(seconds: 30)
            let right = try Self.code(enrolled.secret, harness)
            let wrong = right == "111111" ? "222222" : "111111"
            let first = try await client.login(Self.email, mode: "token")
            let token = try #require(first.fields["mfa_token"] as? String)
            for attempt in 1...Int(MFAChallengeRecord.maxAttempts) {
                let response = try await client.post("/v1/login/mfa", ["mfa_token": token, "code": wrong])
                let problem = expectProblem(response, .unauthorized)
                #expect(problem["attempts_left"] as? Int == Int(MFAChallengeRecord.maxAttempts) - attempt)
            }
            let late = try await client.post("/v1/login/mfa", ["mfa_token": token, "code": right])
            #expect(expectProblem(late, .unauthorized)["type"] as? String == "urn:authd:problem:mfa-challenge-invalid")
            #expect(try harness.events(MFAVerificationFailed.self).filter { $0.challengeID != nil }.count == Int(MFAChallengeRecord.maxAttempts))
        }
    }

    @Test func backupCodesWorkOnceAndRegenerationNeedsStepUp() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await Self.enroll(client, harness)
            let code = enrolled.backupCodes[3]
            let login = try await Self.mfaLogin(client, harness, backup: code.lowercased())
            #expect(login.status == .ok, "\(text(login.response))")
            #expect(login.fields["aal"] as? String == "aal2")
            let used = try harness.events(MFABackupCodeUsed.self)
            #expect(used.count == 1 && used[0].index == 3 && used[0].purpose == "login")
            // The stored hashes are keyed: the plain SHA-256 of the code is not in the log.
            let generated = try #require(try harness.events(MFABackupCodesGenerated.self).first)
            #expect(!generated.codeHashes.contains(SHA256.hash(Array(BackupCodes.normalize(code)!.utf8))))

            let again = try await Self.mfaLogin(client, harness, backup: code)
            #expect(expectProblem(again.response, .unauthorized)["type"] as? String == "urn:authd:problem:invalid-code")

            let status = try await client.execute(uri: "/v1/mfa", method: .get, headers: enrolled.bearer)
            #expect(object(status)["backup_codes_remaining"] as? Int == 9)
            #expect(object(status)["totp_enabled"] as? Bool == true)

            // Ten minutes later the session's aal2 is stale: regeneration needs a step-up.
            harness.clock.advance(seconds: 601)
            let stale = try await client.post("/v1/mfa/backup-codes", [:], headers: enrolled.bearer)
            let problem = expectProblem(stale, .forbidden)
            #expect(problem["type"] as? String == "urn:authd:problem:step-up-required")
            #expect(problem["step_up"] as? String == "/v1/mfa/step-up" && problem["max_age"] as? Int == 600)
            let stepUp = try await client.post("/v1/mfa/step-up", ["backup_code": enrolled.backupCodes[0]], headers: enrolled.bearer)
            #expect(stepUp.status == .ok, "\(text(stepUp))")
            let fresh = try await client.post("/v1/mfa/backup-codes", [:], headers: enrolled.bearer)
            #expect(fresh.status == .ok)
            let newCodes = try #require(object(fresh)["backup_codes"] as? [String])
            #expect(Set(newCodes).isDisjoint(with: enrolled.backupCodes))
            // The old set is dead, the new one works.
            let old = try await Self.mfaLogin(client, harness, backup: enrolled.backupCodes[5])
            #expect(old.status == .unauthorized)
            let new = try await Self.mfaLogin(client, harness, backup: newCodes[0])
            #expect(new.status == .ok)
        }
    }

    @Test func stepUpGuardsSensitiveChanges() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await Self.enroll(client, harness)
            harness.clock.advance(seconds: 601)
            let change = ["current_password": "correct horse battery", "new_password": "another long passphrase"]
            let refused = try await client.post("/v1/password", change, headers: enrolled.bearer)
            #expect(expectProblem(refused, .forbidden)["type"] as? String == "urn:authd:problem:step-up-required")
            let passkey = try await client.post("/v1/passkeys/register/options", [:], headers: enrolled.bearer)
            #expect(expectProblem(passkey, .forbidden)["type"] as? String == "urn:authd:problem:step-up-required")
            let disable = try await client.execute(uri: "/v1/mfa/totp", method: .delete, headers: enrolled.bearer)
            #expect(expectProblem(disable, .forbidden)["type"] as? String == "urn:authd:problem:step-up-required")
            let deletePasskey = try await client.execute(uri: "/v1/passkeys/abc", method: .delete, headers: enrolled.bearer)
            #expect(expectProblem(deletePasskey, .forbidden)["type"] as? String == "urn:authd:problem:step-up-required")

            // A wrong code does not step up.
            let right = try Self.code(enrolled.secret, harness)
            let wrong = try await client.post("/v1/mfa/step-up", ["code": right == "123456" ? "654321" : "123456"], headers: enrolled.bearer)
            expectProblem(wrong, .unauthorized)
            let stepUp = try await client.post("/v1/mfa/step-up", ["code": right], headers: enrolled.bearer)
            #expect(stepUp.status == .ok, "\(text(stepUp))")
            #expect(try harness.events(SessionSteppedUp.self).count == 1)
            let changed = try await client.post("/v1/password", change, headers: enrolled.bearer)
            #expect(changed.status == .ok, "\(text(changed))")
            let options = try await client.post("/v1/passkeys/register/options", [:], headers: enrolled.bearer)
            #expect(options.status == .ok)

            // Disabling MFA (fresh aal2): the next password login gets a session directly.
            let disabled = try await client.execute(uri: "/v1/mfa/totp", method: .delete, headers: enrolled.bearer)
            #expect(disabled.status == .noContent)
            let plain = try await client.login(Self.email, "another long passphrase", mode: "token")
            #expect(plain.status == .ok && plain.fields["aal"] as? String == "aal1" && plain.fields["mfa_required"] == nil)
        }
    }

    /// Notices written by a notifier over the harness's store into a directory, as authd does by default.
    static func notices(_ harness: Harness) throws -> (Notifier, String) {
        let directory = harness.directory.path + "/mail"
        let composer = try NoticeComposer(
            from: "authd@example.com", baseURL: "https://auth.example.com",
            dataKey: try DataKeyFile.load(path: harness.directory.path + "/keys/data.key"),
            vault: PersonalDataVault.installed(on: harness.store))
        return (try Notifier(store: harness.store, composer: composer, transport: MailDirectoryTransport(directory: directory)), directory)
    }

    /// The `.eml` files in `directory`, by name.
    static func mails(_ directory: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".eml") {
            out[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        }
        return out
    }

    /// The recovery token in a notice.
    static func recoveryToken(in mail: String) -> String? {
        guard let range = mail.range(of: "#recovery=") else { return nil }
        return String(mail[range.upperBound...].prefix { !$0.isWhitespace })
    }

    @Test func recoveryWaitsTwentyFourHoursThenRemovesMFAAndSessions() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await Self.enroll(client, harness)
            let (notifier, mailDirectory) = try Self.notices(harness)

            let known = try await client.post("/v1/mfa/recovery/request", ["email": Self.email])
            let unknown = try await client.post("/v1/mfa/recovery/request", ["email": "nobody@example.com"])
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(text(known) == text(unknown))
            let requested = try harness.events(MFARecoveryRequested.self)
            #expect(requested.count == 1)
            #expect(requested[0].notBefore == harness.clock.now().adding(seconds: 86_400))

            try notifier.deliverPending()
            let mails = try Self.mails(mailDirectory)
            let notice = try #require(mails.values.first { $0.contains("Subject: Request to remove two-factor authentication") })
            #expect(notice.contains("To: \(Self.email)"))
            let token = try #require(Self.recoveryToken(in: notice))
            #expect(OpaqueToken.hash(of: token) == requested[0].tokenHash)
            // The raw token is nowhere in the log.
            for event in try harness.recorded(MFARecoveryRequested.type) { #expect(!event.stored.contains(subsequence: Array(token.utf8))) }

            // Too early: 409 with the time left.
            harness.clock.advance(seconds: 3_600)
            let early = try await client.post("/v1/mfa/recovery/complete", ["token": token])
            let problem = expectProblem(early, .conflict)
            #expect(problem["type"] as? String == "urn:authd:problem:recovery-waiting")
            #expect(problem["retry_after"] as? Int == 82_800)
            #expect(early.headers[.retryAfter] == "82800")

            // After 24 h: MFA gone, every session revoked.
            let before = try harness.store.query { try $0.sessions(ofUser: enrolled.userID, at: harness.clock.now()) }.count
            #expect(before >= 2)
            harness.clock.advance(seconds: 82_800)
            let done = try await client.post("/v1/mfa/recovery/complete", ["token": token])
            #expect(done.status == .ok, "\(text(done))")
            #expect(object(done)["revoked_sessions"] as? Int == before)
            #expect(try harness.store.query { try $0.sessions(ofUser: enrolled.userID, at: harness.clock.now()) }.isEmpty)
            let old = try await client.execute(uri: "/v1/mfa", method: .get, headers: enrolled.bearer)
            expectProblem(old, .unauthorized)
            #expect(try harness.events(MFARecoveryCompleted.self).count == 1)
            #expect(try harness.events(SessionRevoked.self).filter { $0.reason == "mfa_recovery" }.count == before)
            // Single use; and the password alone now logs in.
            let reused = try await client.post("/v1/mfa/recovery/complete", ["token": token])
            #expect(expectProblem(reused, .badRequest)["type"] as? String == "urn:authd:problem:invalid-recovery-token")
            let plain = try await client.login(Self.email, mode: "token")
            #expect(plain.fields["aal"] as? String == "aal1")

            try notifier.deliverPending()
            #expect(try Self.mails(mailDirectory).values.contains { $0.contains("Subject: Two-factor authentication removed") })
            // Rebuilding from the log gives the live state, byte for byte.
            let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
            #expect(report.ok)
        }
    }

    @Test func recoveryIsCancelledByAnAAL2LoginOrByTheUser() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await Self.enroll(client, harness)
            let (notifier, mailDirectory) = try Self.notices(harness)
            _ = try await client.post("/v1/mfa/recovery/request", ["email": Self.email])
            try notifier.deliverPending()
            let token = try #require(Self.mails(mailDirectory).values.compactMap(Self.recoveryToken).first)

            // The owner logs in with the second factor during the wait: cancelled.
            harness.clock.advance(seconds: 30)
            let login = try await Self.mfaLogin(client, harness, code: try Self.code(enrolled.secret, harness))
            #expect(login.status == .ok)
            let cancelled = try harness.events(MFARecoveryCancelled.self)
            #expect(cancelled.map(\.reason) == ["aal2_login"])
            harness.clock.advance(seconds: 86_401)
            let late = try await client.post("/v1/mfa/recovery/complete", ["token": token])
            expectProblem(late, .badRequest)
            try notifier.deliverPending()
            #expect(try Self.mails(mailDirectory).values.contains { $0.contains("Subject: Two-factor recovery cancelled") })

            // Explicit cancel from an aal2 session (a new login: the earlier access token has expired meanwhile).
            harness.clock.advance(seconds: 30)
            let current = try await Self.mfaLogin(client, harness, code: try Self.code(enrolled.secret, harness))
            _ = try await client.post("/v1/mfa/recovery/request", ["email": Self.email])
            let status = try await client.execute(uri: "/v1/mfa", method: .get, headers: Self.bearer(current.accessToken))
            #expect((object(status)["recovery"] as? [String: Any])?["not_before"] != nil)
            let cancel = try await client.post("/v1/mfa/recovery/cancel", [:], headers: Self.bearer(current.accessToken))
            #expect(cancel.status == .noContent)
            #expect(try harness.events(MFARecoveryCancelled.self).map(\.reason) == ["aal2_login", "user"])
            let none = try await client.post("/v1/mfa/recovery/cancel", [:], headers: Self.bearer(current.accessToken))
            expectProblem(none, .notFound)
        }
    }

    @Test func notifierReportsNewDevicesAndRefreshReuseAndRetriesFailedDeliveries() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let transport = FlakyTransport(failures: 2)
            let composer = try NoticeComposer(
                from: "authd@example.com", baseURL: "https://auth.example.com",
                dataKey: try DataKeyFile.loadOrCreate(path: harness.directory.path + "/keys/data.key"),
            vault: PersonalDataVault.installed(on: harness.store))
            let notifier = try Notifier(store: harness.store, composer: composer, transport: transport)
            _ = try await client.register("lin@example.com")
            _ = try await client.login("lin@example.com", headers: [.userAgent: "Laptop/1"])  // first login: no notice
            _ = try await client.login("lin@example.com", headers: [.userAgent: "Laptop/1"])  // known device
            let phone = try await client.login("lin@example.com", mode: "token", headers: [.userAgent: "Phone/2"])  // new device
            let rotated = try await client.refresh(phone.refreshToken)
            #expect(rotated.status == .ok)
            _ = try await client.refresh(phone.refreshToken)  // reuse of a rotated token

            // Two failed deliveries: the position stays before the first notice, nothing is skipped.
            let start = try notifier.position()
            #expect(throws: MailDeliveryError.self) { try notifier.deliverPending() }
            #expect(throws: MailDeliveryError.self) { try notifier.deliverPending() }
            #expect(try notifier.position() == start)
            #expect(try notifier.deliverPending() == 3)
            #expect(try notifier.deliverPending() == nil)
            let subjects = transport.delivered.map(\.subject)
            // Registration mails the verification link.
            #expect(subjects == ["Verify your email address", "New login to your account", "Suspicious use of your session"])
            #expect(transport.delivered.allSatisfy { $0.to == "lin@example.com" })
            #expect(transport.delivered[1].body.contains("Phone/2"))
            #expect(try notifier.position() == (try harness.store.head().seq))
        }
    }
}

extension MFATests {
    @Test func aPermanentlyRefusedNoticeIsDroppedAndDoesNotHoldBackTheNext() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let transport = FlakyTransport(failures: 0, refusing: "gone@example.com")
            let composer = try NoticeComposer(
                from: "authd@example.com", baseURL: "https://auth.example.com",
                dataKey: try DataKeyFile.loadOrCreate(path: harness.directory.path + "/keys/data.key"),
            vault: PersonalDataVault.installed(on: harness.store))
            let notifier = try Notifier(store: harness.store, composer: composer, transport: transport)
            for email in ["gone@example.com", "here@example.com"] {
                _ = try await client.register(email)
                _ = try await client.login(email, headers: [.userAgent: "Laptop/1"])
                _ = try await client.login(email, headers: [.userAgent: "Phone/2"])  // a new device: one notice each
            }
            // Two mails each (the verification link, the new device): both of gone@ dropped, both of here@ delivered.
            #expect(try notifier.deliverPending() == 2)
            #expect(transport.delivered.map(\.subject) == ["Verify your email address", "New login to your account"])
            #expect(transport.delivered.map(\.to) == ["here@example.com", "here@example.com"])
            #expect(try notifier.position() == (try harness.store.head().seq))
        }
    }
}

/// A transport that fails its first `failures` deliveries, refuses for good every message to `refusing`, and records
/// the rest.
final class FlakyTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var remainingFailures: Int
    private let refusing: String?
    private var messages: [MailMessage] = []

    init(failures: Int, refusing: String? = nil) {
        remainingFailures = failures
        self.refusing = refusing
    }

    var description: String { "flaky" }

    var delivered: [MailMessage] { lock.withLock { messages } }

    func deliver(_ message: MailMessage) throws {
        try lock.withLock {
            if message.to == refusing { throw MailDeliveryError("550 mailbox unavailable", permanent: true) }
            if remainingFailures > 0 {
                remainingFailures -= 1
                throw MailDeliveryError("simulated relay outage")
            }
            messages.append(message)
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the array.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
