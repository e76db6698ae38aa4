@testable import AuthCore
import AuthCrypto
import EventLog
import Foundation
import LMDB
import ProjectionRebuild
import TestSupport
import Testing

/// Builds a realistic log with the synthetic workload through the real append path.
func fillLog(_ store: EventStore, events: Int, seed: UInt64 = 1) throws {
    var workload = SyntheticWorkload(seed: seed)
    var written = 0
    while written < events {
        var batch: [PendingEvent] = []
        while batch.count < min(500, events - written) { batch.append(contentsOf: workload.next(at: store.clock.now())) }
        let pending = batch
        try store.executeSync { context in for event in pending { try context.emit(event) } }
        written += pending.count
    }
}

@Suite("Log integrity: rebuild, digest, verify")
struct IntegrityTests {
    @Test("live projections equal a rebuild from the log, byte for byte")
    func rebuildEqualsLive() throws {
        let dir = try TemporaryDirectory("rebuild")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        try fillLog(store, events: 20_000)
        let live = try Digest.live(store: store)
        let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.ok)
        #expect(report.liveDigest == live)
        let rebuilt = try Rebuilder.rebuild(store: store)
        #expect(rebuilt.events == (try store.head().seq))
        #expect(try Digest.live(store: store) == live)
        // Non-trivial state: sessions and families exist.
        #expect((rebuilt.entries[SessionsProjection().databaseName("by_id")] ?? 0) > 100)
        #expect((rebuilt.entries[RefreshProjection().databaseName("tokens")] ?? 0) > 100)
    }

    @Test("a new projection is built from the existing log when the store opens")
    func catchUpNewProjection() throws {
        let dir = try TemporaryDirectory("catchup")
        defer { dir.remove() }
        do {
            let store = try EventStore(path: dir.path, projections: [UsersProjection()], clock: ManualClock())
            try fillLog(store, events: 3_000)
            store.close()
        }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.ok)
        // The sessions projection did not exist when the events were written; it now holds their sessions.
        let sessionsDB = try store.environment.openDatabase(SessionsProjection().databaseName("by_id"), flags: [])
        #expect(try store.environment.read { txn in try txn.count(sessionsDB) } > 50)
    }

    @Test("verify names the seq of an event whose bytes were flipped in data.mdb")
    func flippedByteInFile() throws {
        let dir = try TemporaryDirectory("flip")
        defer { dir.remove() }
        var marker = ""
        do {
            let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
            try fillLog(store, events: 2_000)
            // One event with a unique marker in its user agent, in the middle of the log.
            marker = "FlipMe-\(UUID().uuidString)"
            let event = SessionRevoked(sessionID: "ses_flipflipflip", userID: "usr_flipflipflip", reason: "logout")
                .pending(actor: .system, request: RequestInfo(requestID: nil, clientIP: nil, userAgent: marker))
            _ = try store.executeSync { context in try context.emit(event) }
            try fillLog(store, events: 500, seed: 9)
            store.close()
        }
        let path = dir.path + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array(marker.utf8)
        // Flip one byte of every copy (copy-on-write can leave stale copies in free pages).
        var offsets: [Int] = []
        var from = 0
        while let offset = firstIndex(of: needle, in: bytes, from: from) {
            offsets.append(offset)
            from = offset + 1
        }
        #expect(!offsets.isEmpty)
        for offset in offsets { bytes[offset + 3] ^= 0x01 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let environment = try Environment(path: dir.path)
        let report = try LogVerifier.verify(environment: environment, projections: [StreamIndex()] + DomainProjections.all)
        #expect(!report.ok)
        let failure = try #require(report.chainFailure)
        // The marker event is the first event after the first fill (its exact seq depends on batch sizes).
        let seq = try seqOfMarker(environment: environment, marker: marker)
        #expect(failure.seq == seq)
        #expect(failure.reason.contains("hash mismatch"))
    }

    @Test("verify names a deleted event, and an anchored head catches a truncated log")
    func deletedAndTruncated() throws {
        let dir = try TemporaryDirectory("delete")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        try fillLog(store, events: 1_000)
        let anchored = try store.head()
        store.close()
        let environment = try Environment(path: dir.path)
        let log = try environment.openDatabase("log", flags: [])
        let meta = try environment.openDatabase("meta", flags: [])
        // Delete an event in the middle.
        try environment.write { txn in _ = try txn.delete(log, key: EventCodec.seqKey(500)) }
        var report = try LogVerifier.verify(environment: environment, projections: [StreamIndex()] + DomainProjections.all)
        #expect(report.chainFailure?.seq == 500)
        #expect(report.chainFailure?.reason.contains("missing") == true)
        // Restore a consistent but shorter log: cut the newest 10 events and rewrite the head record to match.
        let copy = try TemporaryDirectory("delete-copy")
        defer { copy.remove() }
        let original = try TemporaryDirectory("truncate")
        defer { original.remove() }
        let full = try EventStore(path: original.path, projections: DomainProjections.all, clock: ManualClock())
        try fillLog(full, events: 1_000)
        let head = try full.head()
        full.close()
        let env2 = try Environment(path: original.path)
        let log2 = try env2.openDatabase("log", flags: [])
        let meta2 = try env2.openDatabase("meta", flags: [])
        try env2.write { txn in
            var newHead = head
            for seq in (head.seq - 9)...head.seq { _ = try txn.delete(log2, key: EventCodec.seqKey(seq)) }
            let last = try #require(try txn.get(log2, key: EventCodec.seqKey(head.seq - 10)))
            newHead = LogHead(seq: head.seq - 10, hash: Array(last[0..<32]), timestamp: head.timestamp)
            var value = EventCodec.seqKey(newHead.seq) + newHead.hash
            value += EventCodec.seqKey(UInt64(bitPattern: newHead.timestamp.microseconds))
            try txn.put(meta2, key: Array("head".utf8), value: value)
        }
        // Without an anchor the chain of the shorter log is intact (projections differ, since they saw more).
        report = try LogVerifier.verify(environment: env2, projections: [StreamIndex()] + DomainProjections.all)
        #expect(report.chainFailure == nil)
        // With the anchor recorded before the cut, the truncation is detected.
        report = try LogVerifier.verify(
            environment: env2, projections: [StreamIndex()] + DomainProjections.all, expectHead: (head.seq, head.hash))
        #expect(report.chainFailure?.seq == head.seq)
        #expect(report.chainFailure?.reason.contains("cut") == true)
        _ = (anchored, meta)
    }

    @Test("a tampered projection row is reported with its table and key")
    func projectionDivergence() throws {
        let dir = try TemporaryDirectory("diverge")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        try fillLog(store, events: 2_000)
        store.close()
        let environment = try Environment(path: dir.path)
        let users = try environment.openDatabase(UsersProjection().databaseName("by_email"), flags: [])
        try environment.write { txn in try txn.put(users, key: Array("intruder@example.com".utf8), value: Array("usr_intruder0001".utf8)) }
        let report = try LogVerifier.verify(environment: environment, projections: [StreamIndex()] + DomainProjections.all)
        #expect(report.chainFailure == nil)
        let divergence = try #require(report.divergence)
        #expect(divergence.table == UsersProjection().databaseName("by_email"))
        #expect(divergence.key == Array("intruder@example.com".utf8))
    }

    @Test("rebuild restores the sessions indexes it derives from by_id: a lost token check, a stray user entry, a stale deadline")
    func derivedSessionIndexesRepaired() throws {
        let dir = try TemporaryDirectory("derived-sessions")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        try fillLog(store, events: 5_000)
        let live = try Digest.live(store: store)
        let sessions = SessionsProjection()
        let byToken = try store.environment.openDatabase(sessions.databaseName("by_token"), flags: [])
        let byUser = try store.environment.openDatabase(sessions.databaseName("by_user"), flags: [])
        try store.environment.write { txn in
            var tokens: [([UInt8], [UInt8])] = []
            try txn.forEach(byToken) { key, value in
                tokens.append((key, value))
                return tokens.count < 2
            }
            try #require(tokens.count == 2)
            _ = try txn.delete(byToken, key: tokens[0].0)
            var stale = tokens[1].1
            stale[15] ^= 0x01
            try txn.put(byToken, key: tokens[1].0, value: stale)
            try txn.put(byUser, key: Array("usr_nobody".utf8) + [0] + Array("ses_nobody".utf8), value: [])
        }
        #expect(try Digest.live(store: store) != live)
        let report = try Rebuilder.rebuild(store: store)
        #expect(Set(report.differingTables) == [byToken.name, byUser.name])
        #expect(report.patchedEntries == 3)
        #expect(try Digest.live(store: store) == live)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
    }

    @Test("backup produces a copy that verifies")
    func backupVerifies() throws {
        let dir = try TemporaryDirectory("backup-src")
        let target = try TemporaryDirectory("backup-dst")
        defer {
            dir.remove()
            target.remove()
        }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        try fillLog(store, events: 3_000)
        let head = try store.head()
        try store.environment.copy(to: target.path)
        store.close()
        var options = Environment.Options()
        options.readOnly = true
        let copy = try Environment(path: target.path, options: options)
        let report = try LogVerifier.verify(environment: copy, projections: [StreamIndex()] + DomainProjections.all, expectHead: (head.seq, head.hash))
        #expect(report.ok)
        #expect(report.head == head)
    }
}

func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    var index = from
    while index <= haystack.count - needle.count {
        if haystack[index] == needle[0] && Array(haystack[index..<index + needle.count]) == needle { return index }
        index += 1
    }
    return nil
}

func seqOfMarker(environment: Environment, marker: String) throws -> UInt64 {
    // Read the index: the marker event is in stream session:ses_flipflipflip.
    let index = try environment.openDatabase(StreamIndex().databaseName("by_stream"), flags: [])
    let prefix = Array("session:ses_flipflipflip".utf8) + [0]
    return try environment.read { txn in
        var found: UInt64 = 0
        try txn.forEach(index, from: prefix) { key, _ in
            if key.starts(with: prefix) { found = EventCodec.seq(fromKey: Array(key[prefix.count...])) ?? 0 }
            return false
        }
        return found
    }
}
