import AuditKit
import AuthCore
import EventLog
import Foundation
import LMDB
import PostgresLog
import ProjectionRebuild
import TestSupport
import Testing

/// Moving a log between engines (``MigrationToShared``, ``MigrationFromShared``) and checking a shared log against a
/// replica (``SharedLogVerifier``), on a real PostgreSQL cluster (`AUTHD_TEST_POSTGRES`) and real LMDB.
@Suite("AuditKit: migration between engines, verify against the shared log", .serialized)
struct SharedStoreTests {
    /// A node's store on the shared log at `url`, in a fresh directory holding a copy of `keys` (as an operator
    /// copies keys/ to each node).
    static func node(_ url: String, keysFrom source: String) throws -> (TemporaryDirectory, EventStore) {
        let dir = try TemporaryDirectory("pg-node")
        try FileManager.default.copyItem(atPath: source + "/keys", toPath: dir.path + "/keys")
        let store = try SharedStore.open(url: url, data: dir.path)
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: dir.path))
        return (dir, store)
    }

    static func digest(ofLogIn path: String) throws -> (LogHead, [UInt8]) {
        let store = try EventStore(path: path, projections: DomainProjections.all)
        defer { store.close() }
        return (try store.head(), try Digest.live(store: store))
    }

    static func setNotifierPosition(_ seq: UInt64, in path: String) throws {
        let environment = try Environment(path: path)
        let notifier = try environment.openDatabase("notifier")
        try environment.write { txn in try txn.put(notifier, key: Array("position".utf8), value: EventCodec.seqKey(seq)) }
    }

    @Test("LMDB → PostgreSQL in small commits: a node sees the same state and appends after it; PostgreSQL → LMDB gives a standalone log")
    func roundTrip() async throws {
        let fixture = try await AuditLogFixture()
        defer { fixture.directory.remove() }
        let (sourceHead, sourceDigest) = try Self.digest(ofLogIn: fixture.directory.path)
        #expect(sourceHead.seq >= 5)
        // The notifier had handled events up to seq 3: it goes on from there after the move (and back).
        try Self.setNotifierPosition(3, in: fixture.directory.path)
        let url = try TestPostgres.freshSchema("migrate")
        // Small commits: the state spans many, and every replica checks each one's events and head while applying it.
        let report = try MigrationToShared.run(from: fixture.directory.path, to: url, commitBytes: 512)
        #expect(report.events == sourceHead.seq && report.head == sourceHead && report.digest == sourceDigest)
        #expect(report.commits > 3 && report.bytes > 0)
        let commits = try TestPostgres.query(url, "SELECT commit_no, seq FROM authd_commits ORDER BY commit_no")
        #expect(UInt64(commits.count) == report.commits)
        #expect(UInt64(try commits.int64(commits.count - 1, 1)) == sourceHead.seq)
        #expect(UInt64(try TestPostgres.query(url, "SELECT count(*) FROM authd_log").int64(0, 0)) == sourceHead.seq)
        #expect(try PostgresLogInspector(url: url).position("notifier") == 3)
        // Every commit that appends events also moves the head to its last event (replicas check the chain).
        let heads = try TestPostgres.query(url, "SELECT seq FROM authd_commits ORDER BY commit_no")
        let seqs = try (0..<heads.count).map { try heads.int64($0, 0) }
        #expect(Set(seqs).count > 2 && seqs == seqs.sorted(), "\(seqs)")
        // Node-local state is not copied.
        for commit in 0..<commits.count {
            let writes = try TestPostgres.query(url, "SELECT writes FROM authd_commits WHERE commit_no = $1", [.int64(Int64(commit + 1))])
            for write in try RecordedWrite.decode(try writes.bytes(0, 0)) {
                #expect(write.database != "notifier" && !(write.database == "meta" && write.key.starts(with: Array("shared/".utf8))))
            }
        }

        let (nodeDir, node) = try Self.node(url, keysFrom: fixture.directory.path)
        defer { nodeDir.remove() }
        #expect(try node.head() == sourceHead)
        #expect(try Digest.live(store: node) == sourceDigest)
        // The user, found by their sealed address's keyed hash, and a write through the shared log after the copy.
        let vault = PersonalDataVault.installed(on: node)
        #expect(try node.read { try AuditLog.resolveUser("josé@example.com", in: $0, vault: vault) } == fixture.userID)
        let (deleted, _) = try AccountOperations.deleteUser("josé@example.com", reason: "moved engines", in: node)
        #expect(deleted == fixture.userID)
        let sharedHead = try node.head()
        #expect(sharedHead.seq > sourceHead.seq)
        let verified = try SharedLogVerifier.verify(url: url, environment: node.environment, expectHead: (sourceHead.seq, sourceHead.hash))
        #expect(verified.ok && verified.events == sharedHead.seq && verified.head.head == sharedHead, "\(String(describing: verified.failure))")
        node.close()

        let back = try TemporaryDirectory("pg-back")
        defer { back.remove() }
        try FileManager.default.removeItem(atPath: back.path)
        let returned = try MigrationFromShared.run(from: url, to: back.path)
        #expect(returned.head == sharedHead && returned.events == sharedHead.seq && returned.commits == report.commits + 1)
        #expect(returned.bytes > report.bytes)
        // A standalone log: no binding to the shared log left, and it verifies and opens as one.
        let environment = try Environment(path: back.path)
        let meta = try environment.openDatabase("meta", flags: [])
        let binding = try environment.read { txn in
            (try txn.get(meta, key: Array("shared/store".utf8)), try txn.get(meta, key: Array("shared/commit".utf8)))
        }
        #expect(binding.0 == nil && binding.1 == nil)
        #expect(try LogVerifier.verify(environment: environment, projections: [StreamIndex()] + DomainProjections.all).ok)
        let notifier = try environment.openDatabase("notifier", flags: [])
        #expect(try environment.read { try $0.get(notifier, key: Array("position".utf8)) } == EventCodec.seqKey(3))
        let (backHead, backDigest) = try Self.digest(ofLogIn: back.path)
        #expect(backHead == sharedHead && backDigest == returned.digest)
        // Into a directory that holds a log: refused.
        #expect(throws: MigrationError.self) { try MigrationFromShared.run(from: url, to: back.path) }
    }

    @Test("a non-empty shared log is refused, and a broken source chain is refused naming the seq, with nothing written")
    func refusals() async throws {
        let fixture = try await AuditLogFixture()
        defer { fixture.directory.remove() }
        let url = try TestPostgres.freshSchema("migrate")
        // A copy of the source with one byte of event 2 flipped (its stored hash left as it was).
        let copy = try TemporaryDirectory("pg-corrupt")
        defer { copy.remove() }
        try FileManager.default.removeItem(atPath: copy.path)
        try FileManager.default.copyItem(atPath: fixture.directory.path, toPath: copy.path)
        do {
            let environment = try Environment(path: copy.path)
            let log = try environment.openDatabase("log", flags: [])
            try environment.write { txn in
                var value = try #require(try txn.get(log, key: EventCodec.seqKey(2)))
                value[value.count - 1] ^= 0x01
                try txn.put(log, key: EventCodec.seqKey(2), value: value)
            }
        }
        let broken = #expect(throws: MigrationError.self) { try MigrationToShared.run(from: copy.path, to: url) }
        #expect(broken?.description.contains("event 2 fails the hash chain") == true, "\(String(describing: broken))")
        #expect(try PostgresLogInspector(url: url).head == SharedHead(commit: 0, head: .empty))
        #expect(try TestPostgres.query(url, "SELECT count(*) FROM authd_commits").int64(0, 0) == 0)

        _ = try MigrationToShared.run(from: fixture.directory.path, to: url)
        let head = try PostgresLogInspector(url: url).head
        let again = #expect(throws: MigrationError.self) { try MigrationToShared.run(from: fixture.directory.path, to: url) }
        #expect(again?.description.contains("not empty") == true)
        #expect(try PostgresLogInspector(url: url).head == head)

        #expect(throws: AuditError.self) { try SharedStore.validate(url: "postgres://authd:secret@127.0.0.1:5432/authd") }
        #expect(throws: AuditError.self) { try SharedStore.validate(url: "postgres://authd@127.0.0.1:5432/authd?password=secret") }
        #expect(throws: AuditError.self) { try SharedStore.validate(url: "host=127.0.0.1 user=authd") }
        try SharedStore.validate(url: "postgresql://authd@127.0.0.1:5432/authd?sslmode=disable")
    }

    @Test("verify against the shared log names an altered authd_log row, and an expected head the shared log lacks")
    func verifyFindsTampering() async throws {
        let fixture = try await AuditLogFixture()
        defer { fixture.directory.remove() }
        let url = try TestPostgres.freshSchema("migrate")
        let report = try MigrationToShared.run(from: fixture.directory.path, to: url)
        let (nodeDir, node) = try Self.node(url, keysFrom: fixture.directory.path)
        defer { nodeDir.remove() }
        defer { node.close() }
        #expect(try SharedLogVerifier.verify(url: url, environment: node.environment).ok)
        let cut = try SharedLogVerifier.verify(url: url, environment: node.environment, expectHead: (report.head.seq + 1, report.head.hash))
        #expect(cut.failure?.seq == report.head.seq + 1)
        try TestPostgres.query(url, "UPDATE authd_log SET event = event || '\\x00'::bytea WHERE seq = 3")
        let altered = try SharedLogVerifier.verify(url: url, environment: node.environment)
        #expect(altered.failure?.seq == 3, "\(String(describing: altered.failure))")
    }
}
