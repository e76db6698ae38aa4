import AuditKit
import AuthCore
import EventLog
import Foundation
import LMDB
import ProjectionRebuild
import TestSupport
import Testing

/// The built `authctl` against the PostgreSQL engine (`--store`): migrate both ways, verify, and reading and
/// writing commands on a node's replica, on a real cluster (`AUTHD_TEST_POSTGRES`).
@Suite("authctl --store and migrate", .serialized)
struct AuthctlSharedStoreTests {
    static func line(_ run: ToolRun, _ prefix: String) -> String? {
        run.output.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    @Test("migrate LMDB → PostgreSQL, verify/replay/access/users delete --store, a node sees it, migrate back and verify --data")
    func migrateAndOperate() async throws {
        let fixture = try await AuditLogFixture()
        defer { fixture.directory.remove() }
        let source = fixture.directory.path
        let head = try #require(Self.line(try ToolRun.run("authctl", ["head", "--data", source]), ""))
        let url = try TestPostgres.freshSchema("authctl")

        let migrated = try ToolRun.run("authctl", ["migrate", "--from-data", source, "--to", url])
        #expect(migrated.status == 0, "\(migrated.output) \(migrated.stderr)")
        #expect(Self.line(migrated, "head: ") == head)
        #expect(Self.line(migrated, "events: ") == head.split(separator: ":").first.map(String.init))
        #expect(migrated.output.contains("keys: not copied"))

        // A node's directory: only its keys/ (copied by the operator); the replica is made by the first command.
        let node = try TemporaryDirectory("authctl-node")
        defer { node.remove() }
        try FileManager.default.copyItem(atPath: source + "/keys", toPath: node.path + "/keys")
        let verify = try ToolRun.run("authctl", ["verify", "--store", url, "--data", node.path, "--expect-head", head])
        #expect(verify.status == 0, "\(verify.output) \(verify.stderr)")
        #expect(verify.output.contains("shared_log: ok") && verify.output.contains("projections: ok"))
        let replay = try ToolRun.run("authctl", ["replay", "--store", url, "--data", node.path, "--user", "josé@example.com"])
        #expect(replay.status == 0 && replay.output.contains("user.registered") && replay.output.contains("refresh.reuse_detected"), "\(replay.stderr)")
        let access = try ToolRun.run("authctl", ["access", "--store", url, "--data", node.path, "--user", "josé@example.com", "--format", "json"])
        #expect(access.status == 0 && access.output.contains(fixture.userID), "\(access.output) \(access.stderr)")

        // Replica-only commands: a backup of the caught-up replica verifies; prune lists this replica's stale tables.
        let backup = try TemporaryDirectory("authctl-backup")
        defer { backup.remove() }
        let copied = try ToolRun.run("authctl", ["backup", "--store", url, "--data", node.path, backup.path + "/copy"])
        #expect(copied.status == 0 && copied.output.contains("head: \(head)"), "\(copied.output) \(copied.stderr)")
        let verifyCopy = try ToolRun.run("authctl", ["verify", "--data", backup.path + "/copy", "--expect-head", head])
        #expect(verifyCopy.status == 0, "\(verifyCopy.output) \(verifyCopy.stderr)")
        let prune = try ToolRun.run("authctl", ["prune", "--store", url, "--data", node.path])
        #expect(prune.status == 0 && !prune.output.contains("stale_table"), "\(prune.output) \(prune.stderr)")

        // A write through another node's directory goes through the shared log: the first node sees it.
        let other = try TemporaryDirectory("authctl-node")
        defer { other.remove() }
        try FileManager.default.copyItem(atPath: source + "/keys", toPath: other.path + "/keys")
        let deleted = try ToolRun.run(
            "authctl", ["users", "delete", "--store", url, "--data", other.path, "--user", "josé@example.com", "--reason", "moved"])
        #expect(deleted.status == 0 && deleted.output.contains("deleted: \(fixture.userID)"), "\(deleted.output) \(deleted.stderr)")
        let seen = try ToolRun.run("authctl", ["replay", "--store", url, "--data", node.path, "--type", "user.deleted", "--format", "json"])
        #expect(seen.status == 0 && seen.output.contains(fixture.userID), "\(seen.stderr)")
        let third = try TemporaryDirectory("authctl-node")
        defer { third.remove() }
        let store = try SharedStore.open(url: url, data: third.path)
        let sharedHead = try store.head()
        #expect(try store.query { try $0.user(id: fixture.userID) } == nil)
        store.close()

        let back = try TemporaryDirectory("authctl-back")
        defer { back.remove() }
        let returned = try ToolRun.run("authctl", ["migrate", "--from", url, "--to-data", back.path])
        #expect(returned.status == 0 && Self.line(returned, "head: ") == sharedHead.description, "\(returned.output) \(returned.stderr)")
        let verifyBack = try ToolRun.run("authctl", ["verify", "--data", back.path, "--expect-head", sharedHead.description])
        #expect(verifyBack.status == 0 && verifyBack.output.contains("head: \(sharedHead)"), "\(verifyBack.output) \(verifyBack.stderr)")

        // Refusals: a non-empty target, a corrupted source event (named), a password in the URL.
        let again = try ToolRun.run("authctl", ["migrate", "--from-data", source, "--to", url])
        #expect(again.status == 1 && again.output.contains("not empty"), "\(again.output) \(again.stderr)")
        let corrupt = try TemporaryDirectory("authctl-corrupt")
        defer { corrupt.remove() }
        try FileManager.default.removeItem(atPath: corrupt.path)
        try FileManager.default.copyItem(atPath: source, toPath: corrupt.path)
        try Self.flipByte(ofEvent: 3, in: corrupt.path)
        let fresh = try TestPostgres.freshSchema("authctl")
        let refused = try ToolRun.run("authctl", ["migrate", "--from-data", corrupt.path, "--to", fresh])
        #expect(refused.status == 1 && refused.output.contains("event 3 fails the hash chain"), "\(refused.output) \(refused.stderr)")
        #expect(try TestPostgres.query(fresh, "SELECT count(*) FROM authd_log").int64(0, 0) == 0)
        let password = try ToolRun.run("authctl", ["head", "--store", "postgres://authd:secret@127.0.0.1:1/authd", "--data", node.path])
        #expect(password.status == 64 && password.stderr.contains("PGPASSWORD") && !password.signaled, "\(password.stderr)")
    }

    /// Flips the last byte of event `seq`'s stored bytes (its stored hash left as it was), written through LMDB so
    /// that no stale copy of the page is what changes.
    static func flipByte(ofEvent seq: UInt64, in directory: String) throws {
        let environment = try Environment(path: directory)
        let log = try environment.openDatabase("log", flags: [])
        try environment.write { txn in
            var value = try #require(try txn.get(log, key: EventCodec.seqKey(seq)))
            value[value.count - 1] ^= 0x01
            try txn.put(log, key: EventCodec.seqKey(seq), value: value)
        }
    }
}
