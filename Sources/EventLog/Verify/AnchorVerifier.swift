import AuthCrypto
import LMDB

/// Checks a log against every checkpoint of an anchor file (`authctl verify --anchors`): each line's signature
/// must verify with the anchoring public key, and the log must hold the checkpointed seq with the checkpointed
/// chain hash. Run it after the chain itself verified (``LogVerifier``): the stored hashes are then the chain's.
public enum AnchorVerifier {
    /// The outcome.
    public struct Report: Sendable, Equatable {
        /// Checkpoints that matched.
        public var checkpoints = 0
        /// The newest seq checkpointed (0 if none).
        public var newestSeq: UInt64 = 0
        /// The first failure: line number (from 1), and why.
        public var failure: (line: Int, reason: String)?
        /// Whether the file ends in an incomplete line (a crash during a write): ignored, but reported.
        public var incompleteLastLine = false

        /// True when every checkpoint matched.
        public var ok: Bool { failure == nil }

        /// Equal counts, newest seq, failure and incomplete-line flag.
        public static func == (a: Report, b: Report) -> Bool {
            a.checkpoints == b.checkpoints && a.newestSeq == b.newestSeq && a.failure?.line == b.failure?.line
                && a.failure?.reason == b.failure?.reason && a.incompleteLastLine == b.incompleteLastLine
        }
    }

    /// Verifies the log in `environment` against the checkpoints in `anchors` (the anchor file's contents).
    public static func verify(environment: Environment, anchors: String, publicKey: PublicKey) throws -> Report {
        guard publicKey.supports(.eddsa) else { throw AnchorError("the anchoring public key must be an Ed25519 key") }
        let tables = try LogTables(environment: environment, create: false)
        var report = Report()
        var lines = anchors.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" {
            lines.removeLast()
        } else if !lines.isEmpty {
            lines.removeLast()
            report.incompleteLastLine = true
        }
        try environment.read { txn in
            let head = try LogHead.read(txn, tables)
            for (index, line) in lines.enumerated() {
                let number = index + 1
                let parsed: (checkpoint: HeadCheckpoint, signature: [UInt8])
                do {
                    parsed = try HeadCheckpoint.parse(line)
                } catch {
                    report.failure = (number, "malformed checkpoint: \(error)")
                    return
                }
                let checkpoint = parsed.checkpoint
                let valid = (try? publicKey.verify(parsed.signature, for: Array(checkpoint.signedText.utf8), algorithm: .eddsa)) ?? false
                guard valid else {
                    report.failure = (number, "checkpoint of seq \(checkpoint.seq): the signature does not verify with the anchoring key")
                    return
                }
                guard checkpoint.seq <= head.seq,
                      let stored = try txn.get(tables.log, key: EventCodec.seqKey(checkpoint.seq)), stored.count > 32
                else {
                    report.failure = (number, "checkpoint of seq \(checkpoint.seq): the log has no such event (head is \(head.seq)): it was cut off or replaced")
                    return
                }
                guard Array(stored[0..<32]) == checkpoint.hash else {
                    report.failure = (number, "checkpoint of seq \(checkpoint.seq) at \(checkpoint.time.rfc3339): the log's hash differs: an event at or before seq \(checkpoint.seq) was rewritten")
                    return
                }
                report.checkpoints += 1
                report.newestSeq = max(report.newestSeq, checkpoint.seq)
            }
        }
        return report
    }
}
