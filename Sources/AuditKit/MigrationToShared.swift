import AuthCore
import EventLog
import Foundation
import LMDB
import PostgresLog
import ProjectionRebuild
import TextEncoding

/// `authctl migrate --from-data DIR --to postgres://…`: copies a standalone LMDB log into an EMPTY shared log.
///
/// Replicas bootstrap by applying `authd_commits` in order, so the source environment's whole state is written as
/// commits: the write sets (``WriteRecorder``) of every database except node-local state (the meta keys
/// `shared/*` and `running-server`; the notifier's position goes to `authd_positions`), at most `commitBytes` each, the `meta` database last.
/// A commit that appends events also writes `meta/head` (the head after its last event), since a replica checks
/// each appended event against its head; each commit records the head a replica has after applying it
/// (``LogHead/empty`` before the first event). Every event also goes into `authd_log`, with its hash re-verified
/// while reading (a broken chain is refused, naming the seq), and `authd_head` is set to the last commit: all in
/// one PostgreSQL transaction, read from one LMDB snapshot. Then a fresh temporary replica is bootstrapped from the
/// shared log and must have the source's head and projection digest, and equal a rebuild from its log.
public enum MigrationToShared {
    /// Databases never copied as tables: the notifier's delivery position (`Notifier.databaseName`), which a
    /// shared log keeps in `authd_positions` instead (``notifierPosition``).
    public static let nodeLocalDatabases: Set<String> = [notifierDatabase]

    /// The notifier's database, its position key, and the position's name in a shared log (`Notifier`).
    static let notifierDatabase = "notifier"
    static let notifierPositionKey = Array("position".utf8)
    static let notifierSharedName = "notifier"

    /// The default most bytes of a commit's write set: a replica fetches up to 256 commits per round trip and
    /// applies thousands in one LMDB transaction, so commits of 1 MB keep a bootstrapping node's memory bounded
    /// (256 MB per fetch) at the cost of more, still large, rows.
    public static let defaultCommitBytes = 1 << 20

    /// Copies the log in `data` into the empty shared log at `url`; ``MigrationError`` if refused or a check fails.
    public static func run(from data: String, to url: String, commitBytes: Int = defaultCommitBytes) throws -> MigrationReport {
        try SharedStore.validate(url: url)
        let started = Date()
        guard FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw MigrationError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        var options = Environment.Options()
        options.readOnly = true
        let source = try Environment(path: data, options: options)
        let tables = try LogTables(environment: source, create: false)
        let names = try source.databaseNames().filter { !nodeLocalDatabases.contains($0) && $0 != LogTables.metaName } + [LogTables.metaName]
        let handles = try names.map { name -> Database in
            guard let db = try source.openExistingDatabase(name) else { throw MigrationError("database \(name) vanished") }
            return db
        }
        let digestNames = ([StreamIndex()] + DomainProjections.all).databaseNames
        var digestHandles: [String: Database] = [:]
        for name in digestNames {
            guard let db = try source.openExistingDatabase(name) else {
                throw MigrationError("the source has no table \(name) (an older version's log): open it once with this version, e.g. `authctl rebuild`")
            }
            digestHandles[name] = db
        }

        let target: PostgresLogImport
        do {
            target = try PostgresLogImport(url: url)
        } catch let refusal as PostgresLogImport.NotEmpty {
            throw MigrationError(refusal.description)
        }
        var report = MigrationReport()
        let sourceDigest = try source.read { txn -> [UInt8] in
            let head = try LogHead.read(txn, tables)
            report.head = head
            // The head a replica has after applying the commits so far; a commit that appends events also writes
            // `meta/head` after its last one, since replicas check each appended event against their head.
            var replicaHead = LogHead.empty
            var lastEvent: (seq: UInt64, stored: [UInt8])?
            var recorder = WriteRecorder()
            func flush() throws {
                guard recorder.count > 0 else { return }
                if let (seq, stored) = lastEvent {
                    let event = try EventCodec.decode(seq: seq, stored: stored)
                    replicaHead = LogHead(seq: seq, hash: Array(stored[0..<32]), timestamp: event.timestamp)
                    recorder.put(database: LogTables.metaName, key: LogTables.headKey, value: replicaHead.encoded)
                    lastEvent = nil
                }
                report.commits += 1
                report.bytes += recorder.bytes.count
                try target.add(SharedCommit(number: report.commits, head: replicaHead, writes: recorder.bytes))
                recorder = WriteRecorder()
            }
            var previous = EventCodec.genesisHash
            for db in handles {
                try txn.forEach(db) { key, value in
                    if db.name == LogTables.logName {
                        let seq = report.events + 1
                        guard EventCodec.seq(fromKey: key) == seq else {
                            throw MigrationError("event \(seq) is missing from the source log (next key \(Encoding.hex(key)))")
                        }
                        guard value.count > 32, EventCodec.chainHash(previous: previous, seq: seq, eventBytes: value[32...]) == Array(value[0..<32]) else {
                            throw MigrationError("event \(seq) fails the hash chain: the event bytes or its stored hash were altered; nothing was copied")
                        }
                        previous = Array(value[0..<32])
                        try target.addEvent(seq: seq, hash: previous, event: Array(value[32...]))
                        report.events = seq
                        lastEvent = (seq, value)
                    }
                    if db.name == LogTables.metaName {
                        if EventStore.isNodeLocalMetaKey(key) { return true }
                        if key == LogTables.headKey { replicaHead = try LogHead(encoded: value) }
                    }
                    recorder.put(database: db.name, key: key, value: value)
                    if recorder.bytes.count >= commitBytes { try flush() }
                    return true
                }
            }
            try flush()
            guard report.events == head.seq, previous == head.hash else {
                throw MigrationError("the source's head record (\(head)) does not match its log (\(report.events) events)")
            }
            return try Digest.live(txn: txn, names: digestNames, databases: digestHandles)
        }
        // The notifier goes on where it stopped: no notice mailed twice, none skipped.
        if let position = try notifierPosition(in: source) { try target.setPosition(notifierSharedName, position) }
        try target.finish(SharedHead(commit: report.commits, head: report.head))
        report.digest = sourceDigest

        // A fresh replica bootstrapped from the shared log must be the source's state.
        let scratch = NSTemporaryDirectory() + "authctl-migrate-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let replica = try SharedStore.open(url: url, data: scratch)
        defer { replica.close() }
        try check(replica: replica, head: report.head, digest: sourceDigest)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// The notifier's position in the environment (the seq of the last event it handled), nil if it never ran.
    static func notifierPosition(in environment: Environment) throws -> UInt64? {
        guard let db = try environment.openExistingDatabase(notifierDatabase) else { return nil }
        return try environment.read { txn in try txn.get(db, key: notifierPositionKey).flatMap(EventCodec.seq(fromKey:)) }
    }

    /// Checks that `replica` has `head` and `digest`, and that a rebuild from its log equals its live tables.
    static func check(replica: EventStore, head: LogHead, digest: [UInt8]) throws {
        let replicaHead = try replica.head()
        guard replicaHead == head else { throw MigrationError("the replica's head is \(replicaHead), the source's \(head)") }
        let replicaDigest = try Digest.live(store: replica)
        guard replicaDigest == digest else {
            throw MigrationError("the replica's projection digest \(Encoding.hex(replicaDigest)) differs from the source's \(Encoding.hex(digest))")
        }
        let verified = try LogVerifier.verify(environment: replica.environment, projections: replica.projections)
        if let failure = verified.chainFailure { throw MigrationError("the replica's chain is broken at seq \(failure.seq): \(failure.reason)") }
        guard verified.ok else {
            throw MigrationError("the replica's live projections differ from a rebuild: \(verified.divergence.map { "\($0.table): \($0.reason)" } ?? "digest")")
        }
    }
}
