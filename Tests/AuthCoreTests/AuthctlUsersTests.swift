import AuthCore
import EventLog
import ProjectionRebuild
import Foundation
import TestSupport
import Testing

/// `authctl export --user` (the user's data export) and `authctl users delete` as operators run them.
@Suite("authctl users delete and export --user", .serialized)
struct AuthctlUsersTests {
    @Test("export --user prints the account and its events without secrets; users delete removes it, the address registers again")
    func exportThenDelete() throws {
        let dir = try TemporaryDirectory("authctl-users")
        defer { dir.remove() }
        let userID = Identifier.user()
        do {
            let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
            defer { store.close() }
            try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: dir.path))
            _ = try store.runSync(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$secret", request: RequestInfo()))
        }
        let export = try ToolRun.run("authctl", ["export", "--user", "Ada@Example.com", "--data", dir.path])
        #expect(export.status == 0, "\(export.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: export.stdout) as? [String: Any])
        #expect((parsed["account"] as? [String: Any])?["user_id"] as? String == userID)
        #expect((parsed["events"] as? [[String: Any]])?.map { $0["type"] as? String } == ["user.registered"])
        #expect(!export.output.contains("$argon2id$secret"))
        // With a filter it is the raw event stream as before.
        let raw = try ToolRun.run("authctl", ["export", "--user", userID, "--format", "jsonl", "--data", dir.path])
        #expect(raw.status == 0 && raw.output.contains("\"type\":\"user.registered\""), "\(raw.stderr)")

        let noReason = try ToolRun.run("authctl", ["users", "delete", "--user", userID, "--data", dir.path])
        #expect(noReason.status != 0 && !noReason.signaled)
        let deleted = try ToolRun.run("authctl", ["users", "delete", "--user", "ada@example.com", "--reason", "support ticket 7", "--data", dir.path])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.output.contains("deleted: \(userID)") && deleted.output.contains("revoked_sessions: 0"))
        let again = try ToolRun.run("authctl", ["users", "delete", "--user", "ada@example.com", "--reason", "again", "--data", dir.path])
        #expect(again.status != 0 && again.stderr.contains("no user with email"), "\(again.stderr)")
        let gone = try ToolRun.run("authctl", ["export", "--user", userID, "--data", dir.path])
        #expect(gone.status != 0 && !gone.signaled)

        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: dir.path))
        let newID = Identifier.user()
        #expect(try store.runSync(RegisterUser(userID: newID, email: "ada@example.com", passwordHash: "$argon2id$new", request: RequestInfo())) == newID)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
    }
}
