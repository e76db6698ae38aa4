import AuthAPI
import AuthCore
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Notifications
import OTP
import ProjectionRebuild
import Synchronization
import Testing

/// Attacks on the second factor and on MFA recovery, over the live server: a recovery that strangers cannot
/// restart, guesses that cannot outrun the counts, and a lockout after 20 failures in a row.
@Suite struct MFAAbuseTests {
    /// The pending recovery's `not_before`, as the MFA projection has it.
    static func notBefore(_ harness: Harness, _ userID: String) throws -> Timestamp? {
        try harness.store.query { try $0.mfa(ofUser: userID) }?.recoveryNotBefore
    }

    /// An aal2 session of the enrolled user presented as a bearer session token (lives past the access-token TTL).
    static func sessionBearer(_ client: some TestClientProtocol, _ harness: Harness, _ enrolled: MFATests.Enrolled) async throws -> HTTPFields {
        harness.clock.advance(seconds: 30)
        let first = try await client.login(MFATests.email)
        let mfaToken = try #require(first.fields["mfa_token"] as? String)
        let login = Login(
            response: try await client.post("/v1/login/mfa", ["mfa_token": mfaToken, "code": try MFATests.code(enrolled.secret, harness)]))
        #expect(!login.cookie.isEmpty)
        return MFATests.bearer(login.cookie)
    }

    /// A stranger asking again and again neither restarts the wait nor floods the owner: the pending recovery and
    /// its `not_before` stay; the notice is sent again at most hourly and at most `--mfa-recovery-max-per-day`
    /// times a day; and the recovery still completes on its first schedule.
    @Test func repeatedRequestsKeepThePendingRecovery() async throws {
        let harness = try Harness { $0.configuration.mfaRecoveryMaxPerDay = 3 }
        try await harness.run { client in
            let enrolled = try await MFATests.enroll(client, harness)
            let (notifier, mailDirectory) = try MFATests.notices(harness)
            _ = try notifier.deliverPending()
            let first = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])
            #expect(first.status == .accepted)
            let pending = try Self.notBefore(harness, enrolled.userID)
            #expect(pending != nil)
            for seconds: Int64 in [60, 540, 2_940] {  // 1, 10 and 59 minutes after the first request
                harness.clock.advance(seconds: seconds)
                let again = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])
                #expect(again.status == .accepted && text(again) == text(first))
            }
            #expect(try harness.events(MFARecoveryRequested.self).count == 1)
            #expect(try harness.events(MFARecoveryCancelled.self).isEmpty)
            #expect(try harness.events(MFARecoveryReminded.self).isEmpty)
            harness.clock.advance(seconds: 3_600)
            _ = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])  // reminder 1 (notice 2)
            harness.clock.advance(seconds: 3_600)
            _ = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])  // reminder 2 (notice 3)
            harness.clock.advance(seconds: 3_600)
            _ = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])  // the day's notices are used up
            #expect(try harness.events(MFARecoveryReminded.self).count == 2)
            #expect(try Self.notBefore(harness, enrolled.userID) == pending)

            // Every notice carries the same token; it works on the first schedule.
            _ = try notifier.deliverPending()
            let notices = try MFATests.mails(mailDirectory).values.filter { $0.contains("two-factor authentication\n") || $0.contains("#recovery=") }
            let tokens = Set(notices.compactMap(MFATests.recoveryToken))
            #expect(notices.count == 3 && tokens.count == 1)
            #expect(notices.filter { $0.contains("Subject: Reminder: request to remove two-factor authentication") }.count == 2)
            let requested = try #require(try harness.events(MFARecoveryRequested.self).first)
            harness.clock.set(requested.notBefore)
            let done = try await client.post("/v1/mfa/recovery/complete", ["token": try #require(tokens.first)])
            #expect(done.status == .ok, "\(text(done))")
        }
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }

    /// Completing a recovery deletes the user's passkeys too: one planted with a borrowed session would otherwise
    /// give aal2 past the recovery.
    @Test func recoveryCompletionDeletesPasskeys() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            let enrolled = try await MFATests.enroll(client, harness)
            let cookie = try #require(try await Self.sessionBearer(client, harness, enrolled)[.authorization]?.dropFirst(7)).description
            #expect(try await client.registerPasskey(try PasskeyTests.authenticator(), cookie: cookie).status == .created)
            let (notifier, mailDirectory) = try MFATests.notices(harness)
            _ = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])
            _ = try notifier.deliverPending()
            let token = try #require(MFATests.mails(mailDirectory).values.compactMap(MFATests.recoveryToken).first)
            harness.clock.advance(seconds: 86_400)
            #expect(try await client.post("/v1/mfa/recovery/complete", ["token": token]).status == .ok)
            #expect(try harness.store.query { try $0.passkeys(ofUser: enrolled.userID) }.isEmpty)
        }
        #expect(try harness.events(PasskeyDeleted.self).count == 1)
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }

    /// The answer to a recovery request costs the same for an unknown email, an account without MFA and a repeat
    /// for an account with MFA: each is one durable commit (medians of interleaved samples, a generous bound).
    @Test func recoveryRequestTimingDoesNotTellAccountsApart() async throws {
        let harness = try Harness()
        try await harness.run { client in
            _ = try await MFATests.enroll(client, harness)
            _ = try await client.post("/v1/mfa/recovery/request", ["email": MFATests.email])
            let (medianKnown, medianUnknown) = try await interleavedMedians(rounds: 40) { isKnown, round in
                let response = try await client.post(
                    "/v1/mfa/recovery/request", ["email": isKnown ? MFATests.email : "nobody\(round)@example.com"])
                #expect(response.status == .accepted)
            }
            let ratio = medianUnknown / medianKnown
            print("recovery request timing: known-with-MFA median \(medianKnown) ms, unknown median \(medianUnknown) ms, ratio \(ratio)")
            #expect(ratio > 0.6 && ratio < 1.6, "medians: known \(medianKnown) ms, unknown \(medianUnknown) ms")
        }
    }

    /// Fifty wrong codes sent at once on one `mfa_token` get five checks, not fifty.
    @Test func concurrentGuessesGetFiveChecks() async throws {
        let harness = try Harness()
        let statuses = Mutex<[String: Int]>([:])
        try await harness.run(.ahc(.http)) { client in
            let enrolled = try await MFATests.enroll(client, harness)
            harness.clock.advance(seconds: 30)
            let first = try await client.login(MFATests.email, mode: "token")
            let mfaToken = try #require(first.fields["mfa_token"] as? String)
            let right = try MFATests.code(enrolled.secret, harness)
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<50 {
                    let guess = String(format: "%06d", (Int(right)! + 1 + index) % 1_000_000)
                    group.addTask {
                        let response = try await client.post("/v1/login/mfa", ["mfa_token": mfaToken, "code": guess])
                        return object(response)["type"] as? String ?? "\(response.status.code)"
                    }
                }
                for try await type in group { statuses.withLock { $0[type, default: 0] += 1 } }
            }
        }
        let counts = statuses.withLock { $0 }
        #expect(counts["urn:authd:problem:invalid-code"] == 5, "\(counts)")
        #expect(counts["urn:authd:problem:mfa-challenge-invalid"] == 45, "\(counts)")
        #expect(try harness.events(MFAVerificationFailed.self).filter { $0.challengeID != nil }.count == 5)
    }

    /// Twenty wrong codes in a row lock the second factor (even a right code is refused, 429 with `Retry-After`),
    /// for 15 minutes, then 30; a notice tells the owner; a right code after the cool-down starts over.
    @Test func twentyFailuresLockTheSecondFactor() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await MFATests.enroll(client, harness)
            let (notifier, mailDirectory) = try MFATests.notices(harness)
            let auth = Mutex(try await Self.sessionBearer(client, harness, enrolled))
            @Sendable func stepUp(_ code: String) async throws -> TestResponse {
                let response = try await client.post("/v1/mfa/step-up", ["code": code], headers: auth.withLock { $0 })
                // A successful step-up hands out the session's new token.
                if let token = object(response)["session_token"] as? String { auth.withLock { $0 = MFATests.bearer(token) } }
                return response
            }
            func wrong() throws -> String {
                let right = try MFATests.code(enrolled.secret, harness)
                return right == "000000" ? "000001" : "000000"
            }
            for _ in 0..<19 { expectProblem(try await stepUp(try wrong()), .unauthorized) }
            #expect(try harness.events(MFALocked.self).isEmpty)
            expectProblem(try await stepUp(try wrong()), .unauthorized)
            let locks = try harness.events(MFALocked.self)
            #expect(locks.count == 1 && locks[0].failures == 20)
            #expect(locks[0].until == harness.clock.now().adding(seconds: 900))

            harness.clock.advance(seconds: 30)
            let refused = try await stepUp(try MFATests.code(enrolled.secret, harness))
            #expect(expectProblem(refused, .tooManyRequests)["type"] as? String == "urn:authd:problem:mfa-locked")
            #expect(refused.headers[.retryAfter] == "870")
            // The login path is locked too.
            let login = try await MFATests.mfaLogin(client, harness, code: try MFATests.code(enrolled.secret, harness))
            #expect(login.status == .tooManyRequests)

            // After the cool-down, twenty more failures lock for twice as long.
            harness.clock.advance(seconds: 900)
            for _ in 0..<20 { _ = try await stepUp(try wrong()) }
            #expect(try harness.events(MFALocked.self).last?.until == harness.clock.now().adding(seconds: 1_800))
            harness.clock.advance(seconds: 1_800)
            let accepted = try await stepUp(try MFATests.code(enrolled.secret, harness))
            #expect(accepted.status == .ok, "\(text(accepted))")
            for _ in 0..<19 { _ = try await stepUp(try wrong()) }
            #expect(try harness.events(MFALocked.self).count == 2, "a right code resets the count")

            _ = try notifier.deliverPending()
            let locked = try MFATests.mails(mailDirectory).values.filter { $0.contains("Subject: Your second factor was locked") }
            #expect(locked.count == 2 && locked.allSatisfy { $0.contains("your password was used") || $0.contains("Your password was used") })
        }
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok)
    }

    /// Security-relevant changes each send the owner a notice, and a hostile user agent is quoted tamed.
    @Test func securityChangesNotifyTheOwner() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await MFATests.enroll(client, harness)
            let (notifier, mailDirectory) = try MFATests.notices(harness)
            let hostile = "Evil\u{202E}txt.exe\u{1B}[2J" + String(repeating: "A", count: 400)
            var headers = enrolled.bearer
            headers[.userAgent] = hostile
            #expect(try await client.post("/v1/mfa/backup-codes", [:], headers: headers).status == .ok)
            let change = ["current_password": "correct horse battery", "new_password": "another long passphrase"]
            #expect(try await client.post("/v1/password", change, headers: headers).status == .ok)
            #expect(try await client.execute(uri: "/v1/mfa/totp", method: .delete, headers: headers).status == .noContent)
            #expect(try notifier.deliverPending() == 3)
            let mails = try MFATests.mails(mailDirectory).values
            // (The notifier starts at the head it finds: enabling TOTP came before it.)
            for subject in ["New backup codes", "Your password was changed", "Two-factor authentication turned off"] {
                #expect(mails.filter { $0.contains("Subject: \(subject)") }.count == 1, "\(subject)")
            }
            let quoted = try #require(mails.first { $0.contains("Subject: New backup codes") })
            #expect(!quoted.contains("\u{202E}") && !quoted.contains("\u{1B}") && !quoted.contains(String(repeating: "A", count: 200)))
            #expect(quoted.contains("Evil txt.exe [2J"))
        }
    }
}
