/// The seq range of `authctl replay/export --from-seq/--to-seq`, checked: seqs start at 1 and the range must not be
/// reversed (an error with a message, never an arithmetic trap).
public struct AuditSeqRange: Sendable, Equatable {
    /// The first seq wanted (at least 1).
    public let first: UInt64
    /// The last seq wanted (`UInt64.max` when open).
    public let last: UInt64

    /// Checks `--from-seq` and `--to-seq` (either may be absent).
    public init(from: UInt64?, to: UInt64?) throws(AuditArgumentError) {
        let first = from ?? 1
        guard first >= 1 else { throw AuditArgumentError("--from-seq must be at least 1 (the first event is seq 1)") }
        let last = to ?? UInt64.max
        guard last >= 1 else { throw AuditArgumentError("--to-seq must be at least 1 (the first event is seq 1)") }
        guard first <= last else { throw AuditArgumentError("--from-seq \(first) is after --to-seq \(last)") }
        self.first = first
        self.last = last
    }
}
