@testable import AuthCore
import EventLog
import Foundation
import TestSupport
import Testing

/// Scalars that must never reach a terminal raw (the line breaks authctl itself prints aside).
private func rawUnsafeScalars(_ text: String) -> [Unicode.Scalar] {
    text.unicodeScalars.filter { $0 != "\n" && TerminalText.isUnsafe($0) }
}

@Suite("authctl output escaping", .serialized)
struct AuthctlOutputTests {
    /// A passkey name and user agent as an attacker would send them: OSC title set, BEL, CSI via C1, a bidi
    /// override, and a newline followed by a forged line.
    static let hostileName = "Phone\u{1B}]0;pwned\u{7}\u{9B}2J\u{202E}evil\nseq 99 FORGED"
    static let hostileAgent = "Mozilla\u{85}\u{1B}[31mred\u{2067}"

    /// A log with one user whose passkey and request carry the hostile text (as an old log, written before the API
    /// refused such names, could).
    static func makeLog(_ dir: TemporaryDirectory) throws {
        let store = try EventStore(path: dir.path, projections: DomainProjections.all)
        defer { store.close() }
        let request = RequestInfo(requestID: "req-1", clientIP: "203.0.113.9", userAgent: hostileAgent)
        let passkey = PasskeyRegistered(
            userID: "usr_hostile", credentialID: "cred-1", publicKey: [1, 2, 3], algorithm: -7, signCount: 0,
            aaguid: "00000000-0000-0000-0000-000000000000", backupEligible: false, backupState: false, transports: [],
            attestationFormat: "none", name: hostileName)
        let family = RefreshFamilyStarted(
            familyID: "fam_hostile", sessionID: "ses_hostile", userID: "usr_hostile", tokenHash: [UInt8](repeating: 1, count: 32),
            expiresAt: Timestamp(seconds: 4_000_000_000))
        _ = try store.executeSync { context in
            try context.emit(passkey, actor: Actor(kind: .user, id: "usr_hostile"), request: request)
        }
        _ = try store.executeSync { context in
            try context.emit(family, actor: Actor(kind: .user, id: "usr_hostile"), request: request)
        }
    }

    @Test("replay, state and investigate (text and HTML) show control, C1 and bidi characters escaped, one line per event")
    func tablesAreEscaped() throws {
        let dir = try TemporaryDirectory("authctl-escape")
        defer { dir.remove() }
        try Self.makeLog(dir)

        let replay = try ToolRun.run("authctl", ["replay", "--data", dir.path])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(rawUnsafeScalars(replay.output).isEmpty, "raw: \(rawUnsafeScalars(replay.output).map(\.value))")
        let lines = replay.output.split(separator: "\n")
        #expect(lines.count == 3, "header and two events, no forged line: \(lines)")
        #expect(replay.output.contains("\\u{1B}"))
        #expect(replay.output.contains("\\u{85}"))

        let state = try ToolRun.run("authctl", ["state", "--data", dir.path, "--user", "usr_hostile", "--at", "1"])
        #expect(state.status == 0, "\(state.stderr)")
        #expect(rawUnsafeScalars(state.output).isEmpty, "raw: \(rawUnsafeScalars(state.output).map(\.value))")
        #expect(state.output.contains("name=Phone\\u{1B}]0;pwned\\u{7}\\u{9B}2J\\u{202E}evil\\u{A}seq 99 FORGED"))
        #expect(!state.output.split(separator: "\n").contains { $0.hasPrefix("seq 99") })

        let htmlPath = dir.path + "-report.html"
        defer { try? FileManager.default.removeItem(atPath: htmlPath) }
        let investigate = try ToolRun.run("authctl", ["investigate", "--data", dir.path, "--family", "fam_hostile", "--html", htmlPath])
        #expect(investigate.status == 0, "\(investigate.stderr)")
        #expect(rawUnsafeScalars(investigate.output).isEmpty, "raw: \(rawUnsafeScalars(investigate.output).map(\.value))")
        #expect(investigate.output.contains("Mozilla\\u{85}\\u{1B}[31mred\\u{2067}"))
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
        #expect(rawUnsafeScalars(html).isEmpty, "raw in HTML: \(rawUnsafeScalars(html).map(\.value))")
    }

    @Test("replay JSON escapes C0, C1 and bidi controls and still decodes to the exact stored text")
    func jsonIsEscapedAndExact() throws {
        let dir = try TemporaryDirectory("authctl-escape-json")
        defer { dir.remove() }
        try Self.makeLog(dir)
        let replay = try ToolRun.run("authctl", ["replay", "--data", dir.path, "--format", "json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(rawUnsafeScalars(replay.output).isEmpty, "raw: \(rawUnsafeScalars(replay.output).map(\.value))")
        let line = try #require(replay.output.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((object["payload"] as? [String: Any])?["name"] as? String == Self.hostileName)
        #expect((object["request"] as? [String: Any])?["user_agent"] as? String == Self.hostileAgent)
    }
}
