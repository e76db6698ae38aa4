import AuditKit
import AuthCore
import EventLog
import ProjectionRebuild
import Foundation
import Testing
import TestSupport

/// What the audit tools show once a user's data key is destroyed (crypto-shredding), and before.
@Suite("AuditKit: personal data opened, and [erased] after erasure", .serialized)
struct ErasureTests {
    /// Deletes the fixture user as `authctl users delete` does (which destroys the user's data key).
    static func deleteUser(_ log: AuditLogFixture) throws {
        let store = try EventStore(path: log.directory.path, projections: DomainProjections.all)
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: log.directory.path))
        _ = try AccountOperations.deleteUser(log.userID, reason: "erasure request", in: store)
    }

    /// Every event of the user's stream as replay shows it: (table row, JSON line).
    static func replay(_ log: AuditLogFixture, keys: Bool) throws -> [(type: String, row: String, json: String)] {
        try log.audit { context, vault in
            let queries = Queries(context, vault: keys ? vault : nil)
            return try context.seqs(in: StreamRef(.user, log.userID)).map { seq in
                let event = try #require(try context.event(seq))
                let request = try queries.request(of: event)
                let payloadText = try queries.sealedPayloadText(of: event)
                return (
                    event.type, EventTable.row(event, request: request, payloadText: payloadText),
                    EventJSON.render(event, request: request, payloadText: payloadText)
                )
            }
        }
    }

    @Test("with the keys, replay shows the address, IPs and user agents as sent; without them, [sealed]")
    func openedWithTheKeys() async throws {
        let log = try await AuditLogFixture()
        defer { log.directory.remove() }
        let opened = try Self.replay(log, keys: true)
        let registration = try #require(opened.first { $0.type == UserRegistered.type })
        #expect(registration.json.contains(#""email":"josé@example.com""#))
        #expect(registration.json.contains(#""ip":"198.51.100.7","user_agent":"Laptop/1.0""#))
        #expect(registration.row.contains("email=josé@example.com"))
        #expect(opened.contains { $0.json.contains(#""ip":"203.0.113.66","user_agent":"curl/8.0""#) })
        let sealed = try Self.replay(log, keys: false)
        #expect(sealed.allSatisfy { !$0.json.contains("198.51.100.7") && !$0.json.contains("josé") })
        #expect(sealed.first { $0.type == UserRegistered.type }?.json.contains(#""ip":"[sealed]""#) == true)
    }

    @Test("after the user is deleted (key destroyed): replay (table and JSON), state and investigate show [erased]; verify still passes")
    func erasedAfterTheKeyIsDestroyed() async throws {
        let log = try await AuditLogFixture()
        defer { log.directory.remove() }
        try Self.deleteUser(log)
        for (type, row, json) in try Self.replay(log, keys: true) {
            for needle in ["198.51.100.7", "203.0.113.66", "Laptop/1.0", "curl/8.0", "josé"] {
                #expect(!row.contains(needle) && !json.contains(needle), "\(type): \(needle)")
            }
            #expect(json.contains(#""ip":"[erased]","user_agent":"[erased]""#) || json.contains(#""ip":null,"user_agent":null"#), "\(type)")
            if type == UserRegistered.type {
                #expect(json.contains(#""email":"[erased]""#) && row.contains("email=[erased]"))
            }
        }
        // The state before the deletion: the account as it was, its address erased.
        let snapshot = try log.audit { try UserSnapshot.build(userID: log.userID, seq: log.registeredSeq, time: nil, in: $0, vault: $1) }
        #expect(snapshot.email == PersonalDataVault.erased)
        #expect(snapshot.json.contains(#""email":"[erased]""#))
        let investigation = try #require(try log.audit { try FamilyInvestigation.run(familyID: log.familyID, in: $0, vault: $1) })
        let report = InvestigationReport.json(investigation)
        #expect(report.contains(#""ip":"[erased]""#) && !report.contains("203.0.113.66"))
        #expect(!InvestigationReport.text(investigation).contains("curl/8.0"))
        let verified = try LogVerifier.verify(
            environment: try AuditLog.openReader(data: log.directory.path).environment, projections: [StreamIndex()] + DomainProjections.all)
        #expect(verified.ok)
    }
}
