@testable import AuthCore
import AuthCrypto
import EventLog
import Foundation
import Notifications
import OTP
import Testing
import TestSupport

/// A real store with one user, and a composer over it.
struct NoticeFixture {
    static let dataKey = [UInt8](repeating: 9, count: 32)
    static let email = "ada@example.com"

    let directory: TemporaryDirectory
    let store: EventStore
    let clock = ManualClock()
    let userID = Identifier.user()
    let composer: NoticeComposer

    init() throws {
        directory = try TemporaryDirectory("notices")
        store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
        let vault = try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        composer = try NoticeComposer(from: "authd@example.com", baseURL: "https://auth.example.com", dataKey: Self.dataKey, vault: vault)
        clock.advance(seconds: 60)
        _ = try store.runSync(RegisterUser(userID: userID, email: Self.email, passwordHash: "$argon2id$x", request: .none))
    }

    func close() {
        store.close()
        directory.remove()
    }

    /// Appends `event` (a minute after the previous one) as sent with `userAgent`; returns its seq.
    @discardableResult
    func emit(_ event: some DomainEvent & Sendable, userAgent: String = "Laptop/1.0") throws -> UInt64 {
        clock.advance(seconds: 60)
        let request = RequestInfo(requestID: "req", clientIP: "198.51.100.7", userAgent: userAgent)
        let actor = Actor(kind: .user, id: userID)
        return try store.executeSync { context in try context.emit(event, actor: actor, request: request).seq }
    }

    /// The notice the composer makes for the event at `seq`.
    func notice(_ seq: UInt64) throws -> MailMessage? {
        try store.read { context in
            let event = try #require(try context.event(seq))
            return try composer.notice(for: event, in: context)
        }
    }
}

@Suite("NoticeComposer on a real store", .serialized)
struct NoticeComposerTests {
    @Test("a login from a new device is reported, the first login and a known device are not; the agent is sanitized")
    func newDeviceLogin() throws {
        let log = try NoticeFixture()
        defer { log.close() }
        let login = LoginSucceeded(userID: log.userID, sessionID: Identifier.session(), method: "password", aal: "aal1")
        #expect(try log.notice(try log.emit(login)) == nil, "the first login after registration")
        #expect(try log.notice(try log.emit(login)) == nil, "the same device again")
        let seq = try log.emit(login, userAgent: "Phone\u{1B}[31m\u{202E}gnp.exe\nBcc: x@y")
        let notice = try #require(try log.notice(seq))
        #expect(notice.to == NoticeFixture.email)
        #expect(notice.from == "authd@example.com")
        #expect(notice.subject == "New login to your account")
        #expect(notice.messageID == "notice-\(seq)@authd")
        #expect(notice.date == Date(timeIntervalSince1970: Double(log.clock.now().microseconds) / 1_000_000))
        #expect(notice.body.contains("from 198.51.100.7 (Phone [31m gnp.exe Bcc: x@y), with password (aal1)."))
        #expect(!notice.body.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" })
        #expect(notice.body.hasSuffix("(event #\(seq)).\n"))
    }

    @Test("a password change is reported; an event that calls for no notice gives none")
    func changesAndSilence() throws {
        let log = try NoticeFixture()
        defer { log.close() }
        let changed = try #require(try log.notice(try log.emit(PasswordChanged(userID: log.userID, passwordHash: "$argon2id$y"))))
        #expect(changed.subject == "Your password was changed")
        #expect(changed.body.hasPrefix("The password of your account was changed at "))
        #expect(try log.notice(1) == nil, "user.registered")
    }

    @Test("grants, revocations, locks and unlocks are told to the user they concern; attributes and policies are not")
    func authorizationChanges() throws {
        let log = try NoticeFixture()
        defer { log.close() }
        let granted = try #require(try log.notice(try log.emit(
            RoleGranted(userID: log.userID, role: "editor\u{202E}", expiresAt: log.clock.now().adding(seconds: 3_600), grantedBy: "authctl", reason: "r"))))
        #expect(granted.to == NoticeFixture.email && granted.subject == "A role was granted to your account")
        #expect(granted.body.hasPrefix("The role editor") && granted.body.contains("was granted to your account until "))
        #expect(!granted.body.unicodeScalars.contains("\u{202E}"))
        let revoked = try #require(try log.notice(try log.emit(RoleRevoked(userID: log.userID, role: "editor", revokedBy: "authctl", reason: "r"))))
        #expect(revoked.subject == "A role was removed from your account")
        #expect(try log.notice(try log.emit(UserLocked(userID: log.userID, lockedBy: "authctl", reason: nil)))?.subject == "Your account was locked")
        #expect(try log.notice(try log.emit(UserUnlocked(userID: log.userID, unlockedBy: "authctl", reason: nil)))?.subject == "Your account was unlocked")
        #expect(try log.notice(try log.emit(UserAttributesChanged(userID: log.userID, attributes: "{}", changedBy: "authctl"))) == nil)
        #expect(try log.notice(try log.emit(PolicyLoaded(sha256: String(repeating: "0", count: 64), source: "p", policy: "{}"))) == nil)
    }

    @Test("a recovery request carries the token unsealed with the data key, as text and as a link")
    func recoveryRequest() throws {
        let log = try NoticeFixture()
        defer { log.close() }
        let token = [UInt8](repeating: 0xAB, count: 32)
        let box = try SecretBox(key: NoticeFixture.dataKey)
        let sealed = try box.seal(token, associatedData: MFARecoveryRequested.sealedTokenAssociatedData(recoveryID: "rec_1"))
        let requested = MFARecoveryRequested(
            userID: log.userID, recoveryID: "rec_1", tokenHash: SHA256.hash(token), sealedToken: sealed,
            notBefore: Timestamp(seconds: 1_767_400_000), expiresAt: Timestamp(seconds: 1_767_500_000))
        let notice = try #require(try log.notice(try log.emit(requested)))
        #expect(notice.subject == "Request to remove two-factor authentication")
        #expect(notice.body.contains("    \(Encoding.base64URL(token))\n"))
        #expect(notice.body.contains("https://auth.example.com/#recovery=\(Encoding.base64URL(token))"))
        #expect(notice.body.contains(Timestamp(seconds: 1_767_400_000).rfc3339))
    }

    @Test("the notice of a user who is not in the log is none")
    func unknownUser() throws {
        let log = try NoticeFixture()
        defer { log.close() }
        #expect(try log.notice(try log.emit(PasswordChanged(userID: "usr_unknown", passwordHash: "$argon2id$y"))) == nil)
    }

    @Test("sanitized: controls, bidi and invisible characters become one space; cut to the limit; empty is -")
    func sanitized() {
        #expect(NoticeComposer.sanitized("Mozilla/5.0 (X11)", limit: 64) == "Mozilla/5.0 (X11)")
        #expect(NoticeComposer.sanitized("a\u{1B}\u{7}\u{85}b\u{202E}\u{200B}c\r\nd\u{2028}e", limit: 64) == "a b c d e")
        #expect(NoticeComposer.sanitized("  \t\u{0}  ", limit: 64) == "-")
        #expect(NoticeComposer.sanitized("abcdefgh", limit: 5) == "abcde…")
        #expect(NoticeComposer.sanitized("x\u{E000}y", limit: 64) == "x y")
    }
}

@Suite("MailMessage: RFC 5322 rendering and header injection")
struct MailMessageTests {
    static func message(subject: String = "Hello", to: String = "ada@example.com", body: String = "line one\nline two\n") -> MailMessage {
        MailMessage(
            from: "authd@example.com", to: to, subject: subject, body: body, messageID: "notice-7@authd",
            date: Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test("headers in order, CRLF line ends, a blank line, the body with CRLF (CR alone dropped), a final CRLF")
    func rendering() {
        let text = String(decoding: Self.message(body: "line one\nline\r two\n").rfc5322, as: UTF8.self)
        #expect(
            text == "From: authd@example.com\r\nTo: ada@example.com\r\nSubject: Hello\r\nDate: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
                + "Message-ID: <notice-7@authd>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\nline one\r\nline two\r\n\r\n")
    }

    @Test("a non-ASCII subject is an RFC 2047 encoded word")
    func encodedSubject() {
        let text = String(decoding: Self.message(subject: "Grüße").rfc5322, as: UTF8.self)
        #expect(text.contains("\r\nSubject: =?utf-8?B?\(Data("Grüße".utf8).base64EncodedString())?=\r\n"))
    }

    @Test("line breaks in the subject cannot start a header of their own")
    func subjectInjection() {
        let text = String(decoding: Self.message(subject: "Hi\r\nBcc: evil@example.net\nX-Evil: 1").rfc5322, as: UTF8.self)
        let headers = text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(headers.contains("Subject: Hi  Bcc: evil@example.net X-Evil: 1"))
        #expect(!headers.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Evil:") })
        #expect(headers.count == 9)
    }

    @Test("only bare local@domain addresses are plain; SMTP refuses any other, permanently, before connecting")
    func addressInjection() throws {
        #expect(MailMessage.isPlainAddress("ada@example.com"))
        for bad in [
            "ada@example.com\r\nBcc: evil@example.net", "Ada <ada@example.com>", "a da@example.com", "ada@example.com,evil@x.y",
            "ada", "@example.com", "ada@", "ada@ex@ample.com", "adä@example.com", "\"a\"@example.com",
            String(repeating: "a", count: 250) + "@b.cd",
        ] {
            #expect(!MailMessage.isPlainAddress(bad), "\(bad)")
        }
        // Port 9 (discard) on loopback: were it contacted, the error would not be the refusal.
        let smtp = SMTPTransport(host: "127.0.0.1", port: 9, tls: .off)
        #expect {
            try smtp.deliver(Self.message(to: "ada@example.com\r\nRCPT TO:<evil@example.net>"))
        } throws: { error in
            (error as? MailDeliveryError)?.isPermanent == true
                && (error as? MailDeliveryError)?.description == "refusing an address that is not a plain ASCII local@domain"
        }
    }

    @Test("the directory transport writes the rendered message as <id>.eml")
    func directoryTransport() throws {
        let directory = try TemporaryDirectory("maildir")
        defer { directory.remove() }
        let message = Self.message()
        try MailDirectoryTransport(directory: directory.path + "/mail").deliver(message)
        let written = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/mail/notice-7.eml"))
        #expect(Array(written) == message.rfc5322)
    }
}
