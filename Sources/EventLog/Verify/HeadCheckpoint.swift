import AuthCrypto

/// A signed statement that the log's event `seq` had chain hash `hash`, made at `time`: what `authd` appends to
/// its anchor file (``AnchorSink``) and `authctl verify --anchors` checks the log against (``AnchorVerifier``).
///
/// The chain alone proves only internal consistency: whoever can write the data directory can rewrite an event and
/// recompute every hash after it. A checkpoint signed with a key kept outside the data directory, in a file outside
/// it, pins the hash the log had then; a rewrite of any event at or before that seq no longer matches.
///
/// One checkpoint is one text line: `authlog-checkpoint-v1 <seq> <hash, 64 hex> <time, µs since 1970> <signature>`,
/// the Ed25519 signature (base64url) being over the line's text before it (the first four fields joined by spaces).
public struct HeadCheckpoint: Sendable, Equatable {
    /// The seq of the event checkpointed.
    public var seq: UInt64
    /// Its chain hash.
    public var hash: [UInt8]
    /// When the checkpoint was made.
    public var time: Timestamp

    /// The line's first field.
    public static let tag = "authlog-checkpoint-v1"

    /// Creates a checkpoint.
    public init(seq: UInt64, hash: [UInt8], time: Timestamp) {
        self.seq = seq
        self.hash = hash
        self.time = time
    }

    /// The signed text: the line without its signature.
    public var signedText: String { "\(Self.tag) \(seq) \(Encoding.hex(hash)) \(time.microseconds)" }

    /// The whole line (with its newline) for `signature`.
    public func line(signature: [UInt8]) -> String { signedText + " " + Encoding.base64URL(signature) + "\n" }

    /// Parses one line (without its newline); returns the checkpoint and the signature over ``signedText``.
    public static func parse(_ line: Substring) throws(AnchorError) -> (checkpoint: HeadCheckpoint, signature: [UInt8]) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == Self.tag else { throw AnchorError("not an \(Self.tag) line") }
        guard let seq = UInt64(fields[1]), seq > 0 else { throw AnchorError("bad seq") }
        guard fields[2].count == 64, let hash = Encoding.fromHex(fields[2]) else { throw AnchorError("bad hash") }
        guard let micros = Int64(fields[3]) else { throw AnchorError("bad time") }
        guard let signature = Encoding.fromBase64URL(fields[4]) else { throw AnchorError("bad signature encoding") }
        return (HeadCheckpoint(seq: seq, hash: hash, time: Timestamp(microseconds: micros)), signature)
    }
}
