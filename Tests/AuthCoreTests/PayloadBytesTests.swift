@testable import AuthCore
import AuthCrypto
import EventLog
import Foundation
import TestSupport
import Testing

/// The payload bytes of every event type are pinned: logs are hashed and chained, so an encoder change that moves a
/// byte (a field order, an integer width, an omitted optional) would break every existing log. The fixture
/// `Tests/fixtures/event-payloads.txt` holds the bytes the hand-written encoders produced before the payloads were
/// declared once (`payloadFields`); the declared encoders must reproduce them exactly.
///
/// `AUTHLOG_WRITE_PAYLOAD_FIXTURE=1 swift test --filter PayloadBytesTests` rewrites the fixture (only ever for a
/// new event type or version: existing lines must never change).
@Suite struct PayloadBytesTests {
    static let fixture = Paths.repositoryRoot.appendingPathComponent("Tests/fixtures/event-payloads.txt")

    /// Every catalog example, and variants that flip its optional fields, as `label hex` lines.
    static var lines: [String] {
        var lines = legacy.map { line($0.type, $0.label, $0.payload) }
        lines += EventCatalog.all.map { line($0.type, "v\($0.version)", $0.example.payload) }
        for (label, event) in variants { lines.append(line(type(of: event).type, label, event.payload)) }
        return lines
    }

    /// Payloads of versions this code no longer writes but still reads (their upcasters), as they were written.
    static var legacy: [(type: String, label: String, payload: [UInt8])] {
        var userRegisteredV2 = PayloadWriter()
        userRegisteredV2.add("user_id", UserRegistered.example.userID)
        userRegisteredV2.add("email", "ada@example.com")
        userRegisteredV2.add("password_hash", UserRegistered.example.passwordHash)
        return [(UserRegistered.type, "v2", userRegisteredV2.bytes)]
    }

    /// Instances whose optional fields differ from the examples' (present where the example omits them, and the
    /// other way round).
    static let variants: [(String, any DomainEvent)] = [
        ("with-user", LoginFailed(userID: UserRegistered.example.userID, subject: "ab", reason: "bad_password", method: "password")),
        ("with-user", LoginThrottled(scope: "account", subject: "cd", userID: UserRegistered.example.userID, retryAfter: 900)),
        ("with-previous", SigningKeyRotated(kid: "k2", algorithm: "EdDSA", publicKey: [1, 2, 3], previousKid: "k1")),
        ("no-challenge", MFATOTPVerified(userID: "usr_x", step: 1, purpose: "step_up", challengeID: nil)),
        ("no-challenge", MFABackupCodeUsed(userID: "usr_x", setID: "bcs_y", index: 0, purpose: "step_up", challengeID: nil)),
        ("no-challenge", MFAVerificationFailed(userID: "usr_x", challengeID: nil, method: "backup_code", reason: "bad_code")),
        ("large-ints", SessionCreated(
            sessionID: "s", userID: "u", tokenHash: [], aal: "aal2", mode: "token", expiresAt: Timestamp(microseconds: -1),
            idleTimeout: Int64.max)),
        ("large-seq", RefreshReuseDetected(familyID: "f", sessionID: "s", userID: "u", tokenHash: [0], usedAtSeq: UInt64.max)),
        ("grace", RefreshRotated(familyID: "f", sessionID: "s", userID: "u", parentHash: [1], childHash: [2], grace: true)),
        ("empty-lists", LoginMFARequired(
            userID: "u", challengeID: "c", tokenHash: [], methods: [], mode: "token", expiresAt: Timestamp(microseconds: 0))),
        ("no-codes", MFABackupCodesGenerated(userID: "u", setID: "s", codeHashes: [])),
        ("flags", PasskeyRegistered(
            userID: "u", credentialID: "c", publicKey: [], algorithm: -257, signCount: 1 << 40, aaguid: "a", backupEligible: true,
            backupState: true, transports: ["usb", "nfc", "ble"], attestationFormat: "packed", name: "")),
        // Authorization
        ("with-expiry", RoleGranted(userID: "u", role: "r", expiresAt: Timestamp(microseconds: 1_767_225_600_000_000), grantedBy: "g", reason: "")),
        ("with-reason", UserLocked(userID: "u", lockedBy: "a", reason: "stolen laptop")),
        ("no-reason", UserUnlocked(userID: "u", unlockedBy: "a", reason: nil)),
    ]

    static func line(_ type: String, _ label: String, _ payload: [UInt8]) -> String {
        "\(type) \(label) \(Encoding.hex(payload))"
    }

    @Test func payloadsAreByteIdenticalToTheFixture() throws {
        let lines = Self.lines
        if ProcessInfo.processInfo.environment["AUTHLOG_WRITE_PAYLOAD_FIXTURE"] == "1" {
            try (lines.joined(separator: "\n") + "\n").write(to: Self.fixture, atomically: true, encoding: .utf8)
            return
        }
        let stored = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == stored.count)
        for (line, expected) in zip(lines, stored) {
            #expect(line == expected)
        }
    }

    @Test func variantsRoundTrip() throws {
        for (_, event) in Self.variants { try Self.roundTrip(event) }
    }

    private static func roundTrip<E: DomainEvent>(_ event: E) throws {
        #expect(try E(fields: PayloadReader(event.payload)) == event, "\(E.type)")
    }
}
