import LMDB
import EventLog

/// Checks a log: the hash chain end to end, the head record, an optional externally recorded head, and that the
/// live projections equal a rebuild from the log (byte for byte). Runs in one read snapshot, so it is safe while
/// `authd` is writing.
public enum LogVerifier {
    /// The outcome of a verification.
    public struct Report: Sendable {
        /// Events checked.
        public var events: UInt64 = 0
        /// The head as recorded in the meta table.
        public var head: LogHead = .empty
        /// The first problem with the chain (seq and reason), if any.
        public var chainFailure: (seq: UInt64, reason: String)?
        /// Digest of the live projections.
        public var liveDigest: [UInt8] = []
        /// Digest of the projections rebuilt from the log.
        public var rebuiltDigest: [UInt8] = []
        /// The first table and key where live and rebuilt differ, if any.
        public var divergence: (table: String, key: [UInt8], reason: String)?

        /// Whether everything checked out.
        public var ok: Bool { chainFailure == nil && divergence == nil && liveDigest == rebuiltDigest }
    }

    /// Verifies the log in `environment`. `expectHead` is a `(seq, hash)` recorded earlier: the event must exist
    /// with that hash. `projections` must include the ``StreamIndex``.
    public static func verify(
        environment: Environment, projections: [any Projection], expectHead: (seq: UInt64, hash: [UInt8])? = nil,
        progress: Rebuilder.Progress? = nil
    ) throws -> Report {
        let tables = try LogTables(environment: environment, create: false)
        var databases: [String: Database] = [:]
        for name in projections.databaseNames {
            databases[name] = try environment.openExistingDatabase(name)
        }
        return try environment.read { txn -> Report in
            var report = Report()
            report.head = try LogHead.read(txn, tables)
            let names = projections.databaseNames
            let memory = MemoryTables(names: names)
            let state = ProjectionState(detached: memory)
            // The index is built grouped by stream (its ~2.5 entries per event are never held as separate keys).
            let indexName = projections.first { $0 is StreamIndex }.map { $0.databaseName("by_stream") }
            let folded = projections.filter { !($0 is StreamIndex) }
            let index = StreamIndexBuilder()
            var previous = EventCodec.genesisHash
            var expected: UInt64 = 1
            let total = report.head.seq
            try txn.forEach(tables.log) { key, value in
                guard let seq = EventCodec.seq(fromKey: key) else {
                    report.chainFailure = (expected, "malformed key")
                    return false
                }
                guard seq == expected else {
                    report.chainFailure = (expected, "event \(expected) is missing (next present is \(seq))")
                    return false
                }
                guard value.count > 32 else {
                    report.chainFailure = (seq, "stored value too short")
                    return false
                }
                let stored = Array(value[0..<32])
                let computed = EventCodec.chainHash(previous: previous, seq: seq, eventBytes: value[32...])
                guard stored == computed else {
                    report.chainFailure = (seq, "hash mismatch: the event bytes or its stored hash were altered")
                    return false
                }
                let event: RecordedEvent
                do { event = try EventCodec.decode(seq: seq, stored: value) } catch {
                    report.chainFailure = (seq, "undecodable: \(error)")
                    return false
                }
                do {
                    for projection in folded { try projection.apply(event, to: state) }
                    if indexName != nil { index.add(event) }
                } catch {
                    report.chainFailure = (seq, "projection apply failed: \(error)")
                    return false
                }
                previous = computed
                expected += 1
                report.events += 1
                if report.events & 0xFFFF == 0 { progress?(report.events, total) }
                return true
            }
            progress?(report.events, total)
            if report.chainFailure == nil {
                if report.events != report.head.seq {
                    report.chainFailure = (
                        min(report.events, report.head.seq) + 1,
                        "the head record says \(report.head.seq) events, the log holds \(report.events)"
                    )
                } else if report.head.hash != previous {
                    report.chainFailure = (report.head.seq, "the head record's hash differs from the chain")
                }
            }
            if let (seq, hash) = expectHead, report.chainFailure == nil || (report.chainFailure?.seq ?? 0) > seq {
                if let stored = try txn.get(tables.log, key: EventCodec.seqKey(seq)) {
                    if Array(stored.prefix(32)) != hash {
                        report.chainFailure = (seq, "event \(seq) differs from the expected head")
                    }
                } else {
                    report.chainFailure = (seq, "the expected head event \(seq) is missing: the log was cut")
                }
            }
            guard report.chainFailure == nil else { return report }
            let rebuilt = RebuiltTables { name, body in
                if name == indexName {
                    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
                    try index.forEachSortedKey { try body($0, empty) }
                } else if let table = memory.tables[name] {
                    try table.forEachSorted(body)
                }
            }
            report.rebuiltDigest = try Digest.sorted(names: names, rebuilt.forEach)
            let liveDatabases = databases
            for name in names where liveDatabases[name] == nil {
                report.divergence = (name, [], "table missing in the live store")
                return report
            }
            report.liveDigest = try Digest.live(txn: txn, names: names, databases: liveDatabases)
            if report.liveDigest != report.rebuiltDigest {
                report.divergence = try firstDifference(txn: txn, names: names, databases: liveDatabases, rebuilt: rebuilt)
            }
            return report
        }
    }

    /// Rebuilt tables, each visited in key order.
    struct RebuiltTables {
        let forEach: (String, (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Void
    }

    /// The first table (in name order) and key where the live tables and the rebuilt ones differ.
    static func firstDifference(
        txn: Transaction, names: [String], databases: [String: Database], rebuilt: RebuiltTables
    ) throws -> (table: String, key: [UInt8], reason: String)? {
        for name in names {
            var found: (String, [UInt8], String)?
            let rebuiltTable = { visit in try rebuilt.forEach(name, visit) }
            try TableComparison.forEachDifference(txn: txn, db: databases[name]!, rebuilt: rebuiltTable) { difference in
                switch difference {
                case .extraLive(let key): found = (name, Array(key), "present live, absent when rebuilt")
                case .missingLive(let key, _): found = (name, Array(key), "absent live, present when rebuilt")
                case .valueDiffers(let key, _): found = (name, Array(key), "value differs")
                }
                return false
            }
            if let found { return found }
        }
        return nil
    }
}
