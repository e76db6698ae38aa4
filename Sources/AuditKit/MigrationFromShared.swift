import AuthCore
import EventLog
import Foundation
import LMDB
import PostgresLog
import ProjectionRebuild

/// `authctl migrate --from postgres://… --to-data DIR`: copies a shared log into a standalone LMDB log. A replica
/// is bootstrapped into `DIR` (every commit applied in order, each checked against the head it records), closed,
/// then detached (``EventStore/detachReplica(path:)``: its binding to the shared log removed), and checked as
/// `authctl verify --data DIR` does: the chain end to end, the head equal to the shared head it copied, and the
/// live projections equal to a rebuild from the log.
public enum MigrationFromShared {
    /// Copies the shared log at `url` into `data`, which must not hold a log; ``MigrationError`` if refused or a
    /// check fails.
    public static func run(from url: String, to data: String) throws -> MigrationReport {
        try SharedStore.validate(url: url)
        let started = Date()
        guard !FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw MigrationError("\(data) already holds a log (data.mdb): migrate into a new directory")
        }
        var report = MigrationReport()
        do {
            let replica = try SharedStore.open(url: url, data: data)
            defer { replica.close() }
            report.head = try replica.head()
            report.digest = try Digest.live(store: replica)
            report.commits = try replica.replicaCommit()
        }
        try EventStore.detachReplica(path: data)
        // The notifier goes on where the shared log's stopped (it would otherwise start at the head).
        let inspector = try PostgresLogInspector(url: url)
        if let position = try inspector.position(MigrationToShared.notifierSharedName) {
            let writable = try Environment(path: data)
            let notifier = try writable.openDatabase(MigrationToShared.notifierDatabase)
            try writable.write { txn in try txn.put(notifier, key: MigrationToShared.notifierPositionKey, value: EventCodec.seqKey(position)) }
        }
        var options = Environment.Options()
        options.readOnly = true
        let environment = try Environment(path: data, options: options)
        let verified = try LogVerifier.verify(environment: environment, projections: [StreamIndex()] + DomainProjections.all)
        if let failure = verified.chainFailure { throw MigrationError("the copy's chain is broken at seq \(failure.seq): \(failure.reason)") }
        guard verified.head == report.head else { throw MigrationError("the copy's head is \(verified.head), the shared log's \(report.head)") }
        guard verified.ok, verified.liveDigest == report.digest else {
            throw MigrationError("the copy's live projections differ from a rebuild: \(verified.divergence.map { "\($0.table): \($0.reason)" } ?? "digest")")
        }
        report.events = verified.events
        report.bytes = try inspector.writeSetBytes(through: report.commits)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
