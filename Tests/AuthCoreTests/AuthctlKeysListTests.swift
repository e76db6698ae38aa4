import AuthCore
import AuthCrypto
import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

@Suite("authctl keys list", .serialized)
struct AuthctlKeysListTests {
    @Test("keys list reads the log read-only: it lists the keys and creates or catches up nothing")
    func listIsReadOnly() throws {
        let dir = try TemporaryDirectory("keys-list")
        defer { dir.remove() }
        // A log written without the MFA projection (as by an older authd): a writable open would create and fill
        // its tables (catch-up); a read-only one cannot.
        let partial = DomainProjections.all.filter { !($0 is MFAProjection) }
        let kid: String
        do {
            let store = try EventStore(path: dir.path, projections: partial)
            defer { store.close() }
            let files = try KeyFiles(dataDirectory: dir.path)
            kid = try #require(try SigningKeyRotation.rotate(store: store, files: files, algorithm: .es256, expectedCurrent: nil))
        }
        let mfaTables = MFAProjection().tables.map { MFAProjection().databaseName($0) }
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/data.mdb"))

        let run = try ToolRun.run("authctl", ["keys", "list", "--data", dir.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.output.contains("\(kid) ES256"))
        #expect(run.output.contains("current"))

        let after = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/data.mdb"))
        #expect(before == after, "keys list changed the data file")
        var options = Environment.Options()
        options.readOnly = true
        let names = try Environment(path: dir.path, options: options).databaseNames()
        #expect(!mfaTables.contains { names.contains($0) }, "keys list created \(names.filter(mfaTables.contains))")
    }
}
