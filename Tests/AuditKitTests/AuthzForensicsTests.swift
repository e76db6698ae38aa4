import AuditKit
import AuthCore
import EventLog
import Foundation
import Testing
import TestSupport

/// `authctl access` and `who-can` logic: answers at instants before and after grants, revocations, role edits,
/// policy changes and expiry, from the log alone.
@Suite struct AuthzForensicsTests {
    static let policy = #"{"roles": {"editor": ["posts:read", "posts:update"], "viewer": ["posts:read"]}}"#

    /// A log: policy; Ada and Bob register; Ada gets editor (t0+10 s), Bob viewer until t0+100 s; role `auditor`
    /// defined with logs:read, granted to Bob; Ada's editor revoked (t0+200 s); `auditor` changed to logs:*
    /// (t0+300 s); a new policy where editor loses posts:update (t0+400 s).
    struct Fixture {
        let directory: TemporaryDirectory
        var ada = "", bob = ""
        var seqs: [String: UInt64] = [:]
        let start = ManualClock().now()

        init() async throws {
            directory = try TemporaryDirectory("forensics")
            let clock = ManualClock()
            let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
            defer { store.close() }
            try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
            try await store.run(LoadPolicy(document: AuthzForensicsTests.policy, source: "policy.json"))
            ada = Identifier.user()
            bob = Identifier.user()
            _ = try await store.run(RegisterUser(userID: ada, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            _ = try await store.run(RegisterUser(userID: bob, email: "bob@example.com", passwordHash: "$argon2id$x", request: .none))
            seqs["registered"] = try store.head().seq
            clock.advance(seconds: 10)
            try await store.run(GrantRole(userID: ada, role: "editor", expiresAt: nil, reason: "newsroom", actorID: "authctl", request: .none))
            try await store.run(
                GrantRole(userID: bob, role: "viewer", expiresAt: clock.now().adding(seconds: 90), reason: "trial", actorID: ada, request: .none))
            seqs["granted"] = try store.head().seq
            try await store.run(DefineRole(role: "auditor", permissions: ["logs:read"], actorID: "authctl", request: .none))
            try await store.run(GrantRole(userID: bob, role: "auditor", expiresAt: nil, reason: "audit", actorID: "authctl", request: .none))
            clock.advance(seconds: 190)
            try await store.run(RevokeRole(userID: ada, role: "editor", reason: "left", actorID: "authctl", request: .none))
            seqs["revoked"] = try store.head().seq
            clock.advance(seconds: 100)
            try await store.run(DefineRole(role: "auditor", permissions: ["logs:*"], actorID: "authctl", request: .none))
            seqs["edited"] = try store.head().seq
            clock.advance(seconds: 100)
            try await store.run(
                LoadPolicy(document: #"{"roles": {"editor": ["posts:read"], "viewer": ["posts:read"]}}"#, source: "policy.json"))
            seqs["policy"] = try store.head().seq
        }

        func instant(seq: UInt64? = nil, secondsAfterStart: Int64? = nil) throws -> AuthzAtInstant {
            let reader = try AuditLog.openReader(data: directory.path)
            let vault = try PersonalDataVault.reader(for: reader, dataDirectory: directory.path)
            return try reader.read { context in
                try AuthzAtInstant.build(seq: seq, time: secondsAfterStart.map { start.adding(seconds: $0) }, in: context, vault: vault)
            }
        }
    }

    @Test func accessAtInstants() async throws {
        let fixture = try await Fixture()
        defer { fixture.directory.remove() }
        // Before any grant.
        var report = AccessReport(userID: fixture.ada, instant: try fixture.instant(seq: fixture.seqs["registered"]))
        #expect(report.grants.isEmpty && report.permissions.isEmpty)
        // After the grant: editor, by authctl, with the reason.
        report = AccessReport(userID: fixture.ada, instant: try fixture.instant(seq: fixture.seqs["granted"]))
        #expect(report.grants.map(\.role) == ["editor"])
        #expect(report.grants.first?.record.grantedBy == "authctl" && report.grants.first?.record.reason == "newsroom")
        #expect(report.permissions == ["posts:read", "posts:update"])
        #expect(report.text.contains("editor") && report.json.contains(#""reason":"newsroom""#))
        // After the revocation, by time.
        report = AccessReport(userID: fixture.ada, instant: try fixture.instant(secondsAfterStart: 250))
        #expect(report.grants.isEmpty)
        // Bob's viewer grant lapses at t0+100 s without any event.
        #expect(AccessReport(userID: fixture.bob, instant: try fixture.instant(secondsAfterStart: 50)).grants.map(\.role).sorted() == ["auditor", "viewer"])
        #expect(AccessReport(userID: fixture.bob, instant: try fixture.instant(secondsAfterStart: 150)).grants.map(\.role) == ["auditor"])
        // The role edit: logs:read before, logs:* after.
        #expect(AccessReport(userID: fixture.bob, instant: try fixture.instant(seq: fixture.seqs["revoked"])).permissions == ["logs:read"])
        #expect(AccessReport(userID: fixture.bob, instant: try fixture.instant(seq: fixture.seqs["edited"])).permissions == ["logs:*"])
        // JSON is one object.
        let json = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any]
        #expect(json?["user_id"] as? String == fixture.ada)
    }

    @Test func whoCanAtInstants() async throws {
        let fixture = try await Fixture()
        defer { fixture.directory.remove() }
        func holders(_ permission: String, _ instant: AuthzAtInstant) -> [String] {
            WhoCanReport(permission: permission, instant: instant).holders.map { "\($0.email ?? "?") \($0.role)" }
        }
        let granted = try fixture.instant(seq: fixture.seqs["granted"])
        #expect(holders("posts:update", try fixture.instant(seq: fixture.seqs["registered"])).isEmpty)
        #expect(holders("posts:update", granted) == ["ada@example.com editor"])
        #expect(holders("posts:read", granted) == ["ada@example.com editor", "bob@example.com viewer"])
        // The grant event's seq and granter are in the answer.
        let report = WhoCanReport(permission: "posts:read", instant: granted)
        #expect(report.holders.last?.grant.grantedBy == fixture.ada)
        #expect(report.holders.first.map { $0.grant.seq > 0 && $0.grant.seq <= fixture.seqs["granted"]! } == true)
        // After the revocation (and Bob's expiry) nobody; the role edit widens auditor; the new policy narrows editor.
        #expect(holders("posts:read", try fixture.instant(secondsAfterStart: 250)).isEmpty)
        #expect(holders("logs:delete", try fixture.instant(seq: fixture.seqs["revoked"])).isEmpty)
        #expect(holders("logs:delete", try fixture.instant(seq: fixture.seqs["edited"])) == ["bob@example.com auditor"])
        // Ada regains nothing; the answer for the earlier instant still holds after the later changes.
        #expect(holders("posts:update", granted) == ["ada@example.com editor"])
        let json = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any]
        #expect((json?["holders"] as? [[String: Any]])?.count == 2)
    }

    @Test func offlineGrantResolvesEmailAndChecksItsArguments() async throws {
        let fixture = try await Fixture()
        defer { fixture.directory.remove() }
        let event = try OfflineRoleGrant.grant(data: fixture.directory.path, user: "Ada@Example.com", role: "viewer", reason: "first admin", expiresAt: nil)
        #expect(event.type == RoleGranted.type)
        #expect(throws: AuditError.self) {
            try OfflineRoleGrant.grant(data: fixture.directory.path, user: "ada@example.com", role: "nosuch", reason: "x", expiresAt: nil)
        }
        #expect(throws: AuditError.self) {
            try OfflineRoleGrant.grant(data: fixture.directory.path, user: "ada@example.com", role: "viewer", reason: " ", expiresAt: nil)
        }
    }
}
