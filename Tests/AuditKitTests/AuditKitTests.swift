import AuditKit
import AuthCore
import AuthCrypto
import EventLog
import Foundation
import Testing
import TestSupport

/// A small real log: Ada registers, logs in for tokens from her laptop, rotates once, and the first refresh token is
/// presented again from another client (reuse).
struct AuditLogFixture {
    static let refreshKey = [UInt8](repeating: 7, count: 32)
    static let laptop = RequestInfo(requestID: "req-laptop", clientIP: "198.51.100.7", userAgent: "Laptop/1.0")
    static let thief = RequestInfo(requestID: "req-thief", clientIP: "203.0.113.66", userAgent: "curl/8.0")

    let directory: TemporaryDirectory
    let userID = Identifier.user()
    let sessionID = Identifier.session()
    let familyID = Identifier.family()
    let firstToken = OpaqueToken.generate()
    /// The seq of the registration (before the login).
    var registeredSeq: UInt64 = 0

    init() async throws {
        directory = try TemporaryDirectory("auditkit")
        let clock = ManualClock()
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        _ = try await store.run(RegisterUser(userID: userID, email: "josé@example.com", passwordHash: "$argon2id$x", request: Self.laptop))
        registeredSeq = try store.read { try $0.head().seq }
        clock.advance(seconds: 60)
        _ = try await store.run(
            CreateSession(
                userID: userID, sessionID: sessionID, tokenHash: OpaqueToken.generate().hash, method: "password", aal: "aal1",
                mode: "token", lifetime: 86_400, idleTimeout: 3_600,
                refresh: .init(familyID: familyID, tokenHash: firstToken.hash, lifetime: 86_400), request: Self.laptop))
        clock.advance(seconds: 600)
        let child = OpaqueToken.successor(of: firstToken.text, key: Self.refreshKey)!
        _ = try await store.run(
            RotateRefreshToken(presentedHash: firstToken.hash, childHash: child.hash, graceSeconds: 0, updateAge: 86_400, request: Self.laptop))
        clock.advance(seconds: 30)
        _ = try await store.run(
            RotateRefreshToken(
                presentedHash: firstToken.hash, childHash: OpaqueToken.generate().hash, graceSeconds: 0, updateAge: 86_400,
                request: Self.thief))
    }

    func read<R>(_ body: (ReadContext) throws -> R) throws -> R {
        try AuditLog.openReader(data: directory.path).read(body)
    }

    /// Runs `body` in a read snapshot with the data directory's personal-data vault, both opened read-only as authctl
    /// opens them (the vault belongs to that reader).
    func audit<R>(_ body: (ReadContext, PersonalDataVault?) throws -> R) throws -> R {
        let reader = try AuditLog.openReader(data: directory.path)
        let vault = try AuditLog.vault(data: directory.path, reader: reader)
        return try reader.read { try body($0, vault) }
    }
}

@Suite("AuditKit: user resolution, investigation reports, state snapshots", .serialized)
struct AuditKitTests {
    @Test("a user given by email is found under any spelling that logs in (trimmed, NFC, lowercased); an id as is")
    func resolveUserNormalisesTheEmail() async throws {
        let log = try await AuditLogFixture()
        defer { log.directory.remove() }
        try log.audit { (context: ReadContext, vault: PersonalDataVault?) throws in
            #expect(try AuditLog.resolveUser("josé@example.com", in: context, vault: vault) == log.userID)
            #expect(try AuditLog.resolveUser(" JOSÉ@Example.COM\n", in: context, vault: vault) == log.userID)
            #expect(try AuditLog.resolveUser("Jose\u{301}@example.com", in: context, vault: vault) == log.userID)
            #expect(try AuditLog.resolveUser(log.userID, in: context, vault: vault) == log.userID)
            #expect(throws: AuditError("no user with email ada@example.com")) { try AuditLog.resolveUser("ada@example.com", in: context, vault: vault) }
            #expect(throws: AuditError.self) { try AuditLog.resolveUser("jose@", in: context, vault: vault) }
            // Without the keys an address names no user: lookups go through the keyed hash only.
            #expect(throws: AuditError.self) { try AuditLog.resolveUser("josé@example.com", in: context) }
        }
    }

    @Test("no log at the path is an AuditError naming it")
    func missingLog() throws {
        #expect(throws: AuditError("no event log at /nonexistent-authlog (expected /nonexistent-authlog/data.mdb)")) {
            try AuditLog.openReader(data: "/nonexistent-authlog")
        }
    }

    @Test("the investigation of the family: token tree, the reuse from another client, revocation; text and JSON")
    func investigationReport() async throws {
        let log = try await AuditLogFixture()
        defer { log.directory.remove() }
        let investigation = try #require(try log.audit { try FamilyInvestigation.run(familyID: log.familyID, in: $0, vault: $1) })

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(InvestigationReport.json(investigation).utf8)) as? [String: Any])
        #expect(json["family_id"] as? String == log.familyID)
        #expect(json["session_id"] as? String == log.sessionID)
        #expect(json["user_id"] as? String == log.userID)
        let tokens = try #require(json["tokens"] as? [[String: Any]])
        #expect(tokens.count == 2)
        #expect(tokens[0]["hash"] as? String == Encoding.base64URL(log.firstToken.hash))
        #expect(tokens[1]["parent"] as? String == Encoding.base64URL(log.firstToken.hash))
        let reuses = try #require(json["reuses"] as? [[String: Any]])
        #expect(reuses.count == 1)
        #expect(reuses.first?["token_hash"] as? String == Encoding.base64URL(log.firstToken.hash))
        #expect(reuses.first?["different_client"] as? Bool == true)
        #expect(reuses.first?["delay_seconds"] as? Double == 30)
        let presented = try #require(reuses.first?["presented"] as? [String: Any])
        #expect(presented["ip"] as? String == "203.0.113.66")
        #expect(presented["user_agent"] as? String == "curl/8.0")
        #expect(json["family_revoked"] is [String: Any])
        #expect((json["verdict"] as? String)?.isEmpty == false)

        let text = InvestigationReport.text(investigation)
        #expect(text.hasPrefix("family \(log.familyID)  session \(log.sessionID)  user \(log.userID)"))
        #expect(text.contains("token tree (2 tokens):"))
        #expect(text.contains("REUSE of \(Encoding.base64URL(log.firstToken.hash).prefix(10))…"))
        #expect(text.contains("presented again: seq 6 at "))  // 1 registered, 2-4 login, 5 rotation, 6 reuse
        #expect(text.contains("from 203.0.113.66 (curl/8.0)"))
        #expect(text.contains("delay: 30.0 s after the rotation"))
        #expect(text.contains("different client: yes"))
        #expect(text.contains("\nverdict: \(investigation.verdict)"))

        let html = InvestigationReport.html([investigation])
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<svg") && html.contains(">reuse</text>"))
    }

    @Test("the state snapshot before the login has no session; after it, the session and its family, in text and JSON")
    func stateSnapshot() async throws {
        let log = try await AuditLogFixture()
        defer { log.directory.remove() }
        let before = try log.audit { try UserSnapshot.build(userID: log.userID, seq: log.registeredSeq, time: nil, in: $0, vault: $1) }
        #expect(before.email == "josé@example.com")
        #expect(before.events == 1)
        #expect(before.sessions.isEmpty && before.families.isEmpty)
        #expect(before.text.hasPrefix("user \(log.userID) (josé@example.com) at seq \(log.registeredSeq) — 1 of the user's events applied"))

        // The login is three events: login.succeeded, session.created, refresh.family_started.
        let loginSeq = log.registeredSeq + 3
        let login = try log.audit { try UserSnapshot.build(userID: log.userID, seq: loginSeq, time: nil, in: $0, vault: $1) }
        #expect(login.sessions.map(\.id) == [log.sessionID])
        #expect(login.families.map(\.id) == [log.familyID])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(login.json.utf8)) as? [String: Any])
        #expect(json["user_id"] as? String == log.userID)
        #expect(json["email"] as? String == "josé@example.com")
        #expect(json["at_seq"] as? Int == Int(loginSeq))
        let sessions = try #require(json["sessions"] as? [[String: Any]])
        #expect(sessions.first?["id"] as? String == log.sessionID)
        #expect(sessions.first?["ip"] as? String == "198.51.100.7")
        #expect(sessions.first?["family_id"] as? String == log.familyID)
        let families = try #require(json["families"] as? [[String: Any]])
        #expect(families.first?["live_leaf"] as? String == Encoding.base64URL(log.firstToken.hash))
        #expect(login.text.contains("active sessions: 1\n  \(log.sessionID)  aal=aal1 mode=token"))
        #expect(login.text.contains("refresh families: 1\n  \(log.familyID)  session=\(log.sessionID) status=active"))

        // After the reuse the family is revoked and has no live leaf.
        let last = try log.audit { try UserSnapshot.build(userID: log.userID, seq: nil, time: nil, in: $0, vault: $1) }
        #expect(last.families.first?.record.revokedReason != nil)
        #expect(last.text.contains("status=revoked ("))
    }

    @Test("terminal text: fields are escaped, clipped and padded; lines stay lines")
    func terminalText() {
        #expect(AuditText.shown("a\u{1B}[2Jb") == "a\\u{1B}[2Jb")
        #expect(AuditText.clip("abcdefghij", 5) == "abcd…")
        #expect(AuditText.pad("ab", 5) == "ab   ")
        #expect(AuditText.terminalLines("one\u{9B}\ntwo") == "one\\u{9B}\ntwo")
    }
}
