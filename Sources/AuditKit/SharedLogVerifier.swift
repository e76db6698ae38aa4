import EventLog
import LMDB
import PostgresLog

/// `authctl verify --store`, beyond the checks on the node's replica (``LogVerifier``): the hash chain recomputed
/// over `authd_log` in PostgreSQL from seq 1, every row equal to the replica's log entry (seq, hash, bytes), the
/// shared head equal to the chain's end, the replica bound to this shared log and not ahead of it, and an expected
/// head (`--expect-head`) present in the shared log. Reads one PostgreSQL snapshot and one LMDB snapshot.
public enum SharedLogVerifier {
    /// The outcome.
    public struct Report: Sendable {
        /// Events of the shared log checked.
        public var events: UInt64 = 0
        /// The shared head (newest commit and event).
        public var head = SharedHead(commit: 0, head: .empty)
        /// The replica's head.
        public var replicaHead: LogHead = .empty
        /// The first problem (seq, or 0 for the whole log, and reason), if any.
        public var failure: (seq: UInt64, reason: String)?

        /// Whether everything checked out.
        public var ok: Bool { failure == nil }
    }

    /// Checks the shared log at `url` against the replica in `environment`.
    public static func verify(url: String, environment: Environment, expectHead: (seq: UInt64, hash: [UInt8])? = nil) throws -> Report {
        let shared = try PostgresLogInspector(url: url)
        let tables = try LogTables(environment: environment, create: false)
        var report = Report()
        report.head = shared.head
        try environment.read { txn in
            report.replicaHead = try LogHead.read(txn, tables)
            if let bound = try txn.get(tables.meta, key: Array("shared/store".utf8)), bound != shared.storeIdentity {
                report.failure = (0, "the data directory is the replica of another shared log")
                return
            }
            if report.replicaHead.seq > shared.head.head.seq {
                report.failure = (
                    shared.head.head.seq + 1,
                    "the replica holds events up to \(report.replicaHead.seq), the shared log only up to \(shared.head.head.seq): "
                        + "the shared log lost acknowledged events")
                return
            }
            var previous = EventCodec.genesisHash
            var expected: UInt64 = 1
            var expectedHeadSeen = false
            try shared.forEachEvent { seq, hash, event in
                guard seq == expected else {
                    report.failure = (expected, "event \(expected) is missing from authd_log (next present is \(seq))")
                    return false
                }
                let computed = EventCodec.chainHash(previous: previous, seq: seq, eventBytes: event)
                guard hash == computed else {
                    report.failure = (seq, "hash mismatch in authd_log: the event bytes or its stored hash were altered")
                    return false
                }
                if seq <= report.replicaHead.seq {
                    guard let local = try txn.get(tables.log, key: EventCodec.seqKey(seq)) else {
                        report.failure = (seq, "event \(seq) is in authd_log but missing from the replica")
                        return false
                    }
                    guard local.count == 32 + event.count, local.prefix(32).elementsEqual(hash), local.dropFirst(32).elementsEqual(event) else {
                        report.failure = (seq, "event \(seq) differs between authd_log and the replica")
                        return false
                    }
                }
                if let expectHead, expectHead.seq == seq {
                    expectedHeadSeen = true
                    guard expectHead.hash == hash else {
                        report.failure = (seq, "event \(seq) differs from the expected head")
                        return false
                    }
                }
                previous = computed
                expected += 1
                report.events += 1
                return true
            }
            guard report.failure == nil else { return }
            if report.events != shared.head.head.seq {
                report.failure = (
                    min(report.events, shared.head.head.seq) + 1,
                    "authd_head says \(shared.head.head.seq) events, authd_log holds \(report.events)")
            } else if previous != shared.head.head.hash {
                report.failure = (shared.head.head.seq, "authd_head's hash differs from the chain")
            } else if let expectHead, !expectedHeadSeen {
                report.failure = (expectHead.seq, "the expected head event \(expectHead.seq) is missing from the shared log: the log was cut")
            }
        }
        return report
    }
}
