import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import ProjectionRebuild
import Foundation
import Hummingbird
import HummingbirdTesting
import Notifications
import OTP
import Synchronization
import Testing

/// Email verification, password reset, email change, deletion and export end to end over the live server: links
/// read from the `.eml` files the real notifier writes, the manual clock driving expiry, the log checked after each
/// flow (no raw token in it, live projections equal a rebuild).
@Suite struct AccountLifecycleTests {
    static let email = "ada@example.com"
    static let password = "correct horse battery"

    /// A notifier over the harness's store writing `.eml` files (made before the events it should mail: it starts
    /// at the head).
    struct Mailbox {
        let notifier: Notifier
        let directory: String

        init(_ harness: Harness) throws { (notifier, directory) = try MFATests.notices(harness) }

        /// Delivers what is pending; the mails by file name.
        func mails() throws -> [String: String] {
            try notifier.deliverPending()
            return try MFATests.mails(directory)
        }

        /// The token of the newest link `#<fragment>=` mailed to `to`, with the whole link.
        func link(_ fragment: String, to address: String) throws -> (token: String, url: String)? {
            let candidates = try mails().filter { $0.value.contains("To: \(address)") && $0.value.contains("#\(fragment)=") }
            guard let mail = candidates.max(by: { Self.seq($0.key) < Self.seq($1.key) })?.value,
                let range = mail.range(of: "https://auth.example.com/#\(fragment)=")
            else { return nil }
            let token = String(mail[range.upperBound...].prefix { !$0.isWhitespace })
            return (token, "https://auth.example.com/#\(fragment)=\(token)")
        }

        static func seq(_ name: String) -> Int { Int(name.split(separator: "-").last?.split(separator: ".").first ?? "") ?? 0 }
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// Two answers are the same: status and body, but for the `request_id` of a problem (every request's own).
    static func sameAnswer(_ a: TestResponse, _ b: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        var first = object(a), second = object(b)
        first["request_id"] = nil
        second["request_id"] = nil
        #expect(a.status == b.status, sourceLocation: sourceLocation)
        #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second), "\(text(a)) vs \(text(b))", sourceLocation: sourceLocation)
    }

    /// The raw token is in no stored event; live projections equal a rebuild.
    static func checkLog(_ harness: Harness, tokens: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try harness.store.read { context in
            try context.forEachEvent { event in
                for token in tokens { #expect(!event.stored.contains(subsequence: Array(token.utf8)), sourceLocation: sourceLocation) }
                return true
            }
        }
        let report = try LogVerifier.verify(environment: harness.store.environment, projections: harness.store.projections)
        #expect(report.ok, sourceLocation: sourceLocation)
    }

    // MARK: Verification

    @Test func registrationMailsAVerificationLinkThatWorksOnceAndExpires() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            let userID = try await client.register(Self.email)
            let (token, url) = try #require(try mailbox.link("verify-email", to: Self.email))
            #expect(token.count == OpaqueToken.textLength && url == "https://auth.example.com/#verify-email=\(token)")
            let sent = try harness.events(EmailVerificationSent.self)
            #expect(sent.count == 1 && sent[0].userID == userID)
            // The address the link went to is recorded sealed under the user's key, as the account holds it.
            #expect(try harness.store.query { try $0.user(id: userID)?.record.sealedEmail } == sent[0].sealedEmail)
            #expect(OpaqueToken.hash(of: token) == sent[0].tokenHash)

            let login = try await client.login(Self.email, mode: "token")
            let me = try await client.get("/v1/me", bearer: login.accessToken)
            #expect(me.status == .ok)
            var fields = object(me)
            #expect(fields["user_id"] as? String == userID && fields["email"] as? String == Self.email)
            #expect(fields["email_verified"] as? Bool == false && fields["passkeys"] as? Int == 0)
            #expect((fields["mfa"] as? [String: Any])?["totp_enabled"] as? Bool == false)
            #expect((fields["created_at"] as? String)?.hasSuffix("Z") == true)

            expectProblem(try await client.post("/v1/email/verify", ["token": "not-a-token"]), .badRequest)
            let verified = try await client.post("/v1/email/verify", ["token": token])
            #expect(verified.status == .ok && object(verified)["email_verified"] as? Bool == true, "\(text(verified))")
            let again = expectProblem(try await client.post("/v1/email/verify", ["token": token]), .badRequest)
            #expect(again["type"] as? String == "urn:authd:problem:invalid-link")
            fields = object(try await client.get("/v1/me", bearer: login.accessToken))
            #expect(fields["email_verified"] as? Bool == true)
            #expect(try harness.events(EmailVerified.self).count == 1)

            // A link older than --email-verification-ttl (24 h) is refused.
            try await client.register("bob@example.com")
            let (late, _) = try #require(try mailbox.link("verify-email", to: "bob@example.com"))
            harness.clock.advance(seconds: 86_400)
            expectProblem(try await client.post("/v1/email/verify", ["token": late]), .badRequest)
            try Self.checkLog(harness, tokens: [token, late])
        }
    }

    @Test func resendingIsRateLimitedAndTheSameForEveryAddress() async throws {
        let harness = try Harness { $0.accountMailPerEmail = RateLimit(capacity: 3, perSecond: 1.0 / 600) }
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            try await client.register(Self.email)
            let (first, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            let known = try await client.post("/v1/email/verification", ["email": Self.email])
            let unknown = try await client.post("/v1/email/verification", ["email": "nobody@example.com"])
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(text(known) == text(unknown))
            #expect(try harness.events(EmailVerificationSent.self).count == 2)
            // The newer link supersedes the first.
            let (second, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            #expect(second != first)
            expectProblem(try await client.post("/v1/email/verify", ["token": first]), .badRequest)

            // Logged in, without an address.
            let login = try await client.login(Self.email, mode: "token")
            let mine = try await client.post("/v1/email/verification", [:], headers: Self.bearer(login.accessToken))
            #expect(mine.status == .accepted && text(mine) == text(known))
            expectProblem(try await client.post("/v1/email/verification", [:]), .unauthorized)

            // Three per address: the fourth is refused, for a known address as for an unknown one.
            #expect(try await client.post("/v1/email/verification", ["email": Self.email]).status == .accepted)
            for _ in 0..<2 { _ = try await client.post("/v1/email/verification", ["email": "nobody@example.com"]) }
            let limitedKnown = try await client.post("/v1/email/verification", ["email": Self.email])
            let limitedUnknown = try await client.post("/v1/email/verification", ["email": "nobody@example.com"])
            expectProblem(limitedKnown, .tooManyRequests)
            expectProblem(limitedUnknown, .tooManyRequests)
            Self.sameAnswer(limitedKnown, limitedUnknown)
            let (third, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            #expect(try await client.post("/v1/email/verify", ["token": third]).status == .ok)
            try Self.checkLog(harness, tokens: [first, second, third])
        }
    }

    @Test func requiredVerificationRefusesLoginOnlyAfterThePassword() async throws {
        let harness = try Harness { $0.configuration.requireVerifiedEmail = true }
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            try await client.register(Self.email)
            let wrong = try await client.login(Self.email, "wrong password")
            #expect(expectProblem(wrong.response, .unauthorized)["type"] as? String == "urn:authd:problem:invalid-credentials")
            let refused = try await client.login(Self.email)
            #expect(expectProblem(refused.response, .forbidden)["type"] as? String == "urn:authd:problem:email-not-verified")
            #expect(try harness.events(SessionCreated.self).isEmpty)
            let (token, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            #expect(try await client.post("/v1/email/verify", ["token": token]).status == .ok)
            #expect(try await client.login(Self.email).status == .ok)
        }
    }

    // MARK: Password reset

    @Test func resetRequestsAnswerAlikeForKnownAndUnknownAddresses() async throws {
        let harness = try Harness {
            $0.accountMailPerEmail = RateLimit(capacity: 1_000, perSecond: 100)
            $0.accountMailPerIP = RateLimit(capacity: 1_000, perSecond: 100)
        }
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            try await client.register(Self.email)
            let known = try await client.post("/v1/password/reset/request", ["email": Self.email])
            let unknown = try await client.post("/v1/password/reset/request", ["email": "nobody@example.com"])
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(text(known) == text(unknown))
            #expect(known.headers[.cacheControl] == unknown.headers[.cacheControl])
            #expect(try harness.events(PasswordResetRequested.self).count == 1)
            let (first, _) = try #require(try mailbox.link("reset-password", to: Self.email))

            // A second request seconds later is accepted and supersedes the first link.
            harness.clock.advance(seconds: 2)
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            let (second, _) = try #require(try mailbox.link("reset-password", to: Self.email))
            #expect(second != first)
            expectProblem(try await client.post("/v1/password/reset/complete", ["token": first, "new_password": "a new long passphrase"]), .badRequest)

            let (medianKnown, medianUnknown) = try await interleavedMedians(rounds: 30) { isKnown, round in
                let response = try await client.post(
                    "/v1/password/reset/request", ["email": isKnown ? Self.email : "nobody\(round)@example.com"])
                #expect(response.status == .accepted)
            }
            let ratio = medianUnknown / medianKnown
            print("reset request timing: known median \(medianKnown) ms, unknown median \(medianUnknown) ms, ratio \(ratio)")
            #expect(ratio > 0.5 && ratio < 2.0, "medians: known \(medianKnown) ms, unknown \(medianUnknown) ms")
            try Self.checkLog(harness, tokens: [first, second])
        }
    }

    @Test func resetRequestsAreLimitedPerClientAndPerAddressAlike() async throws {
        let harness = try Harness {
            $0.accountMailPerEmail = RateLimit(capacity: 2, perSecond: 1.0 / 600)
            $0.accountMailPerIP = RateLimit(capacity: 6, perSecond: 1.0 / 600)
        }
        try await harness.run { client in
            try await client.register(Self.email)
            for address in [Self.email, "nobody@example.com"] {
                for _ in 0..<2 { #expect(try await client.post("/v1/password/reset/request", ["email": address]).status == .accepted) }
            }
            let known = try await client.post("/v1/password/reset/request", ["email": Self.email])
            let unknown = try await client.post("/v1/password/reset/request", ["email": "nobody@example.com"])
            expectProblem(known, .tooManyRequests)
            expectProblem(unknown, .tooManyRequests)
            Self.sameAnswer(known, unknown)
            // The client's bucket (6) is spent by now, for fresh addresses too.
            _ = try await client.post("/v1/password/reset/request", ["email": "carol@example.com"])
            _ = try await client.post("/v1/password/reset/request", ["email": "dave@example.com"])
            expectProblem(try await client.post("/v1/password/reset/request", ["email": "erin@example.com"]), .tooManyRequests)
        }
    }

    @Test func resetSetsThePasswordOnceRevokesEverythingAndNotifies() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            try await client.register(Self.email)
            let tokenLogin = try await client.login(Self.email, mode: "token")
            let cookieLogin = try await client.login(Self.email)
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            let (token, _) = try #require(try mailbox.link("reset-password", to: Self.email))

            // The password policy refuses without using the link.
            let short = expectProblem(try await client.post("/v1/password/reset/complete", ["token": token, "new_password": "short"]), .badRequest)
            #expect((short["detail"] as? String)?.contains("new_password") == true)
            let done = try await client.post("/v1/password/reset/complete", ["token": token, "new_password": "a new long passphrase"])
            #expect(done.status == .ok, "\(text(done))")
            #expect(object(done)["revoked_sessions"] as? Int == 2)
            expectProblem(try await client.post("/v1/password/reset/complete", ["token": token, "new_password": "yet another passphrase"]), .badRequest)

            expectProblem(try await client.refresh(tokenLogin.refreshToken), .unauthorized)
            expectProblem(try await client.get("/v1/session", cookie: cookieLogin.cookie), .unauthorized)
            expectProblem(try await client.login(Self.email).response, .unauthorized)
            #expect(try await client.login(Self.email, "a new long passphrase").status == .ok)
            let completed = try harness.events(PasswordResetCompleted.self)
            #expect(completed.count == 1 && completed[0].secondFactor == nil)
            #expect(try harness.events(PasswordResetRefused.self).map(\.reason) == ["password_policy"])
            #expect(try harness.events(RefreshFamilyRevoked.self).count == 1)
            let notice = try #require(try mailbox.mails().values.first { $0.contains("Subject: Your password was reset") })
            #expect(notice.contains("To: \(Self.email)"))

            // Expiry: --password-reset-ttl (30 min).
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            let (late, _) = try #require(try mailbox.link("reset-password", to: Self.email))
            harness.clock.advance(seconds: 1_800)
            expectProblem(try await client.post("/v1/password/reset/complete", ["token": late, "new_password": "a new long passphrase 2"]), .badRequest)
            try Self.checkLog(harness, tokens: [token, late])
        }
    }

    @Test func twoConcurrentCompletionsHaveOneWinner() async throws {
        let harness = try Harness()
        let statuses = Mutex<[UInt: Int]>([:])
        try await harness.run(.ahc(.http)) { client in
            let mailbox = try Mailbox(harness)
            try await client.register(Self.email)
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            let (token, _) = try #require(try mailbox.link("reset-password", to: Self.email))
            try await withThrowingTaskGroup(of: UInt.self) { group in
                for index in 0..<2 {
                    group.addTask {
                        UInt(try await client.post("/v1/password/reset/complete", ["token": token, "new_password": "concurrent passphrase \(index)"]).status.code)
                    }
                }
                for try await code in group { statuses.withLock { $0[code, default: 0] += 1 } }
            }
            #expect(statuses.withLock { $0 } == [200: 1, 400: 1])
            #expect(try harness.events(PasswordResetCompleted.self).count == 1)

            // The same for email verification links.
            statuses.withLock { $0 = [:] }
            let (verify, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<2 { group.addTask { UInt(try await client.post("/v1/email/verify", ["token": verify]).status.code) } }
                for try await code in group { statuses.withLock { $0[code, default: 0] += 1 } }
            }
            #expect(statuses.withLock { $0 } == [200: 1, 400: 1])
            try Self.checkLog(harness, tokens: [token, verify])
        }
    }

    @Test func resetOfAnAccountWithMFANeedsTheFactor() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            let enrolled = try await MFATests.enroll(client, harness, email: Self.email)
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            let (token, _) = try #require(try mailbox.link("reset-password", to: Self.email))
            let new = "a new long passphrase"

            let missing = expectProblem(try await client.post("/v1/password/reset/complete", ["token": token, "new_password": new]), .forbidden)
            #expect(missing["type"] as? String == "urn:authd:problem:mfa-required")
            let wrong = expectProblem(
                try await client.post("/v1/password/reset/complete", ["token": token, "new_password": new, "code": "000000"]), .forbidden)
            #expect(wrong["type"] as? String == "urn:authd:problem:invalid-code")
            // Refusals leave the link usable: the right factor completes it.
            harness.clock.advance(seconds: 30)
            let done = try await client.post(
                "/v1/password/reset/complete", ["token": token, "new_password": new, "code": try MFATests.code(enrolled.secret, harness)])
            #expect(done.status == .ok, "\(text(done))")
            let completed = try harness.events(PasswordResetCompleted.self)
            #expect(completed.count == 1 && completed[0].secondFactor == "totp")
            #expect(try harness.events(MFATOTPVerified.self).last?.purpose == "password_reset")
            // The password changed, the second factor stays.
            let login = try await client.login(Self.email, new, mode: "token")
            #expect(login.fields["mfa_required"] as? Bool == true)

            // Five refusals use a link up.
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            let (second, _) = try #require(try mailbox.link("reset-password", to: Self.email))
            for _ in 0..<5 {
                expectProblem(try await client.post("/v1/password/reset/complete", ["token": second, "new_password": new]), .forbidden)
            }
            harness.clock.advance(seconds: 30)
            let usedUp = expectProblem(
                try await client.post(
                    "/v1/password/reset/complete", ["token": second, "new_password": new, "code": try MFATests.code(enrolled.secret, harness)]),
                .badRequest)
            #expect(usedUp["type"] as? String == "urn:authd:problem:invalid-link")
            try Self.checkLog(harness, tokens: [token, second])
        }
    }

    // MARK: Email change

    @Test func emailChangeNeedsRecentAuthenticationAndTheNewAddressesLink() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            let userID = try await client.register(Self.email)
            let stale = try await client.login(Self.email, mode: "token")
            harness.clock.advance(seconds: 301)
            let refused = expectProblem(
                try await client.post("/v1/email", ["new_email": "ada@new.example.org"], headers: Self.bearer(stale.accessToken)), .forbidden)
            #expect(refused["type"] as? String == "urn:authd:problem:reauthentication-required")

            let login = try await client.login(Self.email, mode: "token")
            let requested = try await client.post("/v1/email", ["new_email": "Ada@New.Example.org"], headers: Self.bearer(login.accessToken))
            #expect(requested.status == .accepted, "\(text(requested))")
            // An address that names another account gets the same answer, and no link.
            try await client.register("bob@example.com")
            let taken = try await client.post("/v1/email", ["new_email": "bob@example.com"], headers: Self.bearer(login.accessToken))
            #expect(taken.status == .accepted && text(taken) == text(requested))
            let vault = try #require(PersonalDataVault.installed(on: harness.store))
            #expect(try harness.events(EmailChangeRequested.self).map(\.emailHash) == [vault.emailHash("ada@new.example.org")])

            let mails = try mailbox.mails()
            let notice = try #require(mails.values.first { $0.contains("Subject: Request to change your email address") })
            #expect(notice.contains("To: \(Self.email)"))
            #expect(try mailbox.link("confirm-email", to: Self.email) == nil)
            let (token, _) = try #require(try mailbox.link("confirm-email", to: "ada@new.example.org"))
            // Nothing changes before the link is used.
            #expect(try await client.login(Self.email).status == .ok)

            let confirmed = try await client.post("/v1/email/confirm", ["token": token])
            #expect(confirmed.status == .ok, "\(text(confirmed))")
            #expect(object(confirmed)["email"] as? String == "ada@new.example.org")
            expectProblem(try await client.post("/v1/email/confirm", ["token": token]), .badRequest)
            expectProblem(try await client.login(Self.email).response, .unauthorized)
            let relogin = try await client.login("ada@new.example.org", mode: "token")
            #expect(relogin.status == .ok)
            let me = object(try await client.get("/v1/me", bearer: relogin.accessToken))
            #expect(me["user_id"] as? String == userID && me["email"] as? String == "ada@new.example.org")
            #expect(me["email_verified"] as? Bool == true)
            // The old address is free again.
            #expect(try await client.post("/v1/users", ["email": Self.email, "password": Self.password]).status == .created)
            try Self.checkLog(harness, tokens: [token])
        }
    }

    // MARK: Deletion and export

    @Test func deletionRevokesEverythingAndTheAddressCanRegisterAgain() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            let userID = try await client.register(Self.email)
            let other = try await client.login(Self.email, mode: "token")
            let login = try await client.login(Self.email, mode: "token")
            harness.clock.advance(seconds: 301)
            expectProblem(try await client.execute(uri: "/v1/me", method: .delete, headers: Self.bearer(login.accessToken)), .forbidden)
            let fresh = try await client.login(Self.email, mode: "token")
            let deleted = try await client.execute(uri: "/v1/me", method: .delete, headers: Self.bearer(fresh.accessToken))
            #expect(deleted.status == .ok, "\(text(deleted))")
            #expect(object(deleted)["revoked_sessions"] as? Int == 3)
            let events = try harness.events(UserDeleted.self)
            #expect(events.count == 1 && events[0].userID == userID && events[0].reason == "user")
            #expect(try harness.events(RefreshFamilyRevoked.self).count == 3)

            expectProblem(try await client.get("/v1/me", bearer: fresh.accessToken), .unauthorized)
            expectProblem(try await client.refresh(other.refreshToken), .unauthorized)
            expectProblem(try await client.login(Self.email).response, .unauthorized)
            // The deletion destroyed the key the address was sealed under: no mail can reach it any more.
            #expect(try mailbox.mails().values.allSatisfy { !$0.contains("Subject: Your account was deleted") })
            let again = try await client.register(Self.email)
            #expect(!again.isEmpty && again != userID)
            let relogin = try await client.login(Self.email, mode: "token")
            #expect(object(try await client.get("/v1/me", bearer: relogin.accessToken))["user_id"] as? String == again)
            try Self.checkLog(harness, tokens: [])
        }
    }

    @Test func deletionOfAnAccountWithMFARemovesItsFactors() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let enrolled = try await MFATests.enroll(client, harness, email: Self.email)
            #expect(try await client.execute(uri: "/v1/me", method: .delete, headers: enrolled.bearer).status == .ok)
            #expect(try harness.events(UserDeleted.self).count == 1)
            #expect(try harness.store.query { try $0.mfa(ofUser: enrolled.userID) } == nil)
            try Self.checkLog(harness, tokens: [])
        }
    }

    @Test func exportHoldsTheAccountAndEveryEventDecodedWithoutSecrets() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let mailbox = try Mailbox(harness)
            let userID = try await client.register(Self.email)
            let (token, _) = try #require(try mailbox.link("verify-email", to: Self.email))
            #expect(try await client.post("/v1/email/verify", ["token": token]).status == .ok)
            let login = try await client.login(Self.email, mode: "token", headers: [.userAgent: "ExportTest/1"])
            let response = try await client.get("/v1/me/export", bearer: login.accessToken)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json" && response.headers[.cacheControl] == "no-store")
            let export = object(response)
            let account = try #require(export["account"] as? [String: Any])
            #expect(account["user_id"] as? String == userID && account["email_verified"] as? Bool == true)
            let events = try #require(export["events"] as? [[String: Any]])
            let types = events.compactMap { $0["type"] as? String }
            #expect(types.starts(with: ["user.registered", "email.verification_sent", "email.verified"]))
            #expect(types.contains("session.created") && types.contains("refresh.family_started") && types.contains("login.succeeded"))
            #expect(types.count == Int(try harness.store.read { try $0.seqs(in: StreamRef(.user, userID)).count }))
            let registered = try #require(events.first?["payload"] as? [String: Any])
            #expect(registered["email"] as? String == Self.email && registered["password_hash"] == nil)
            #expect(events.first?["withheld"] as? [String] == ["email_hash", "password_hash"])
            let loggedIn = try #require(events.first { $0["type"] as? String == "session.created" })
            #expect((loggedIn["request"] as? [String: Any])?["user_agent"] as? String == "ExportTest/1")
            // No hash or sealed blob of any event is in the export.
            let body = text(response)
            #expect(!body.contains("$argon2id$"))
            for event in events {
                let keys = Set(((event["payload"] as? [String: Any]) ?? [:]).keys)
                #expect(keys.isDisjoint(with: ["password_hash", "token_hash", "sealed_token", "parent_hash", "child_hash"]), "\(event)")
            }
            #expect((events.first { $0["type"] as? String == "email.verification_sent" }?["withheld"] as? [String]) == ["token_hash", "sealed_token"])
            for sent in try harness.events(EmailVerificationSent.self) {
                #expect(!body.contains(Encoding.base64URL(sent.tokenHash)) && !body.contains(Encoding.base64URL(sent.sealedToken)))
            }
            for created in try harness.events(SessionCreated.self) { #expect(!body.contains(Encoding.base64URL(created.tokenHash))) }
            expectProblem(try await client.get("/v1/me/export", bearer: "nope"), .unauthorized)
        }
    }
}
