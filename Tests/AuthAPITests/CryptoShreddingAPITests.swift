import AuthAPI
import AuthCore
import EventLog
import ProjectionRebuild
import Foundation
import Hummingbird
import HummingbirdTesting
import Notifications
import Testing
import TestSupport

/// Crypto-shredding end to end over the live server: register, log in, change the address, export; no file of the
/// data directory (nor of an `authctl backup`) holds the addresses or the user agent, before and after the deletion;
/// after it `authctl verify` passes and `authctl replay` shows `[erased]`, and the address registers again.
@Suite(.serialized) struct CryptoShreddingAPITests {
    static let email = "shred.e2e@example.org"
    static let newEmail = "shred.moved@example.net"
    static let agent = "ShredE2E/9.1 (unique-agent-5c1d8e)"

    /// Occurrences of each needle in the files under `directory`, as "file: needle".
    static func hits(_ needles: [[UInt8]], under directory: String) throws -> [String] {
        var found: [String] = []
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory))
        for case let path as String in enumerator {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + path))
            for needle in needles where data.range(of: Data(needle)) != nil {
                found.append("\(path): \(String(decoding: needle, as: UTF8.self))")
            }
        }
        return found
    }

    /// `authctl backup` of `data` into a fresh directory (removed by the caller).
    static func backup(_ data: String) throws -> TemporaryDirectory {
        let target = try TemporaryDirectory("shred-backup")
        let run = try ToolRun.run("authctl", ["backup", "--data", data, target.path + "/copy"])
        #expect(run.status == 0, "\(run.stderr)")
        return target
    }

    @Test func plaintextNeverReachesTheFilesAndDeletionErasesButKeepsTheChain() async throws {
        let harness = try Harness()
        // The outbox lives outside the data directory (its .eml files hold addresses), as docs/DEPLOYMENT.md says.
        let outbox = try TemporaryDirectory("shred-outbox")
        defer { outbox.remove() }
        let composer = try NoticeComposer(
            from: "authd@example.com", baseURL: "https://auth.example.com",
            dataKey: try KeyFiles(dataDirectory: harness.directory.path).dataKey(), vault: PersonalDataVault.installed(on: harness.store))
        let notifier = try Notifier(store: harness.store, composer: composer, transport: MailDirectoryTransport(directory: outbox.path))
        let data = harness.directory.path
        let needles = [Self.email, Self.newEmail, Self.agent].map { Array($0.utf8) }
        try await harness.run { client in
            let ua: HTTPFields = [.userAgent: Self.agent]
            let registered = try await client.post("/v1/users", ["email": Self.email, "password": "correct horse battery"], headers: ua)
            #expect(registered.status == .created)
            let userID = try #require(object(registered)["user_id"] as? String)
            let login = try await client.login(Self.email, mode: "token", headers: ua)
            #expect(login.status == .ok)
            var bearer = AccountLifecycleTests.bearer(login.accessToken)
            bearer[.userAgent] = Self.agent
            let requested = try await client.post("/v1/email", ["new_email": Self.newEmail], headers: bearer)
            #expect(requested.status == .accepted, "\(text(requested))")
            try notifier.deliverPending()
            let link = try MFATests.mails(outbox.path).values.first { $0.contains("To: \(Self.newEmail)") && $0.contains("#confirm-email=") }
            let mail = try #require(link)
            let range = try #require(mail.range(of: "#confirm-email="))
            let token = String(mail[range.upperBound...].prefix { !$0.isWhitespace })
            let confirmed = try await client.post("/v1/email/confirm", ["token": token], headers: ua)
            #expect(confirmed.status == .ok, "\(text(confirmed))")
            let relogin = try await client.login(Self.newEmail, mode: "token", headers: ua)
            #expect(relogin.status == .ok)
            bearer = AccountLifecycleTests.bearer(relogin.accessToken)
            bearer[.userAgent] = Self.agent
            // The export opens what is sealed: the addresses and the user agent, in plaintext, to their holder.
            let export = try await client.execute(uri: "/v1/me/export", method: .get, headers: bearer)
            #expect(export.status == .ok)
            let exported = text(export)
            #expect(exported.contains(Self.newEmail) && exported.contains(Self.agent) && !exported.contains(PersonalDataVault.sealedPrefix))
            try notifier.deliverPending()

            // Nothing in the data directory, nor in a compacting backup of it, holds them.
            #expect(try Self.hits(needles, under: data) == [])
            let before = try Self.backup(data)
            defer { before.remove() }
            #expect(try Self.hits(needles, under: before.path) == [])
            let vault = try #require(PersonalDataVault.installed(on: harness.store))
            let sealedKey = try #require(try harness.store.read { try $0.get(vault.table, key: Array(userID.utf8)) })
            #expect(try Data(contentsOf: URL(fileURLWithPath: before.path + "/copy/data.mdb")).range(of: Data(sealedKey)) != nil)

            // Deletion destroys the key: the sealed key is in no backup made after it.
            let deleted = try await client.execute(uri: "/v1/me", method: .delete, headers: bearer)
            #expect(deleted.status == .ok, "\(text(deleted))")
            try notifier.deliverPending()
            #expect(try harness.store.query { try $0.keyState(userID: userID) } == .destroyed)
            #expect(try Self.hits(needles, under: data) == [])
            let after = try Self.backup(data)
            defer { after.remove() }
            #expect(try Self.hits(needles, under: after.path) == [])
            #expect(try Data(contentsOf: URL(fileURLWithPath: after.path + "/copy/data.mdb")).range(of: Data(sealedKey)) == nil)

            // The chain verifies, also against the head recorded before; the replay shows [erased].
            let head = try harness.store.head()
            let verify = try ToolRun.run("authctl", ["verify", "--data", data, "--expect-head", head.description])
            #expect(verify.status == 0, "\(verify.output) \(verify.stderr)")
            let replay = try ToolRun.run("authctl", ["replay", "--data", data, "--user", userID, "--format", "json"])
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(replay.output.contains(#""ip":"[erased]""#) && replay.output.contains(#""email":"[erased]""#))
            #expect(!replay.output.contains(Self.agent) && !replay.output.contains(Self.email) && !replay.output.contains(Self.newEmail))
            let registeredSeq = try #require(try harness.store.read { try $0.seqs(in: StreamRef(.user, userID)).first })
            let state = try ToolRun.run("authctl", ["state", "--data", data, "--user", userID, "--at", "\(registeredSeq)", "--format", "json"])
            #expect(state.output.contains(#""email":"[erased]""#), "\(state.output) \(state.stderr)")
            // The address registers again, as a new user.
            let again = try await client.post("/v1/users", ["email": Self.newEmail, "password": "correct horse battery"])
            #expect(again.status == .created && object(again)["user_id"] as? String != userID)
        }
        // A rebuild from the log equals the live tables.
        let store = try EventStore(path: data, projections: DomainProjections.all)
        defer { store.close() }
        #expect(try Rebuilder.rebuild(store: store).differingTables.isEmpty)
    }
}
