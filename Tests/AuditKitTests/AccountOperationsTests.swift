import AuditKit
import AuthCore
import AuthCrypto
import EventLog
import ProjectionRebuild
import Foundation
import Testing
import TestSupport

/// `authctl users delete` and `authctl export --user` (``AccountOperations``) on a real log.
@Suite struct AccountOperationsTests {
    @Test func deleteByEmailRevokesAndFreesTheAddressAndExportWithholdsSecrets() async throws {
        let fixture = try await AuditLogFixture()
        let export = try fixture.audit { try AccountOperations.export("JOSÉ@example.com", in: $0, vault: $1) }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(export.utf8)) as? [String: Any])
        #expect((parsed["account"] as? [String: Any])?["user_id"] as? String == fixture.userID)
        let events = try #require(parsed["events"] as? [[String: Any]])
        let types = events.compactMap { $0["type"] as? String }
        #expect(types.first == "user.registered" && types.contains("refresh.rotated") && types.contains("refresh.reuse_detected"))
        #expect(types.count == (try fixture.read { try $0.seqs(in: StreamRef(.user, fixture.userID)).count }))
        #expect(!export.contains("$argon2id$x") && !export.contains(Encoding.base64URL(fixture.firstToken.hash)))
        #expect((events.first { $0["type"] as? String == "refresh.rotated" }?["withheld"] as? [String]) == ["parent_hash", "child_hash"])
        // Personal data is exported opened (the address, the client IP and user agent), never as sealed bytes.
        let registered = try #require(events.first)
        #expect((registered["payload"] as? [String: Any])?["email"] as? String == "josé@example.com")
        #expect((registered["request"] as? [String: Any])?["user_agent"] as? String == "Laptop/1.0")
        #expect(!export.contains(PersonalDataVault.sealedPrefix))

        let store = try EventStore(path: fixture.directory.path, projections: DomainProjections.all)
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: fixture.directory.path))
        #expect(throws: AuditError.self) { try AccountOperations.deleteUser("josé@example.com", reason: " ", in: store) }
        let (userID, _) = try AccountOperations.deleteUser("josé@example.com", reason: "GDPR request #42", in: store)
        #expect(userID == fixture.userID)
        let deleted = try store.read { context -> [RecordedEvent] in
            var out: [RecordedEvent] = []
            try context.forEachEvent { if $0.type == UserDeleted.type { out.append($0) }; return true }
            return out
        }
        #expect(deleted.count == 1 && deleted[0].actor == AccountOperations.operatorActor)
        let event = try UserDeleted(deleted[0])
        #expect(event.userID == fixture.userID && event.reason == "GDPR request #42")
        #expect(try store.query { try $0.user(email: "josé@example.com") } == nil)
        #expect(throws: AuditError.self) { try AccountOperations.deleteUser(fixture.userID, reason: "again", in: store) }
        #expect(throws: AuditError.self) { try fixture.audit { try AccountOperations.export(fixture.userID, in: $0, vault: $1) } }
        // The user's key is destroyed with the account, and no projection row names the user any more (the forensic
        // index of the log's events aside, and the families below).
        #expect(try store.query { try $0.keyState(userID: fixture.userID) } == .destroyed)
        let naming = try store.read { context -> [String] in
            var tables: [String] = []
            let id = Array(fixture.userID.utf8)
            for projection in DomainProjections.all {
                for table in projection.tables {
                    for entry in try context.state.table(projection, table).entries(prefix: [])
                    where entry.key.firstRange(of: id) != nil || entry.value.firstRange(of: id) != nil {
                        tables.append(projection.databaseName(table))
                    }
                }
            }
            return tables
        }
        // Revoked refresh families keep the (random) user id, and nothing else of the user: the refresh projection has
        // no index by user to remove them by.
        #expect(naming.allSatisfy { $0 == RefreshProjection().databaseName("families") }, "\(naming)")
        // The address registers again as a new user.
        let again = Identifier.user()
        #expect(try store.runSync(RegisterUser(userID: again, email: "josé@example.com", passwordHash: "$argon2id$y", request: RequestInfo())) == again)
        let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.ok)
    }
}
