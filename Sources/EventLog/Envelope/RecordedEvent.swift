/// An event as stored in the log: sequence number, time, envelope, payload and chain hash.
public struct RecordedEvent: Sendable, Equatable {
    /// Gapless sequence number, starting at 1.
    public var seq: UInt64
    /// When it was appended (from the injected clock).
    public var timestamp: Timestamp
    /// Dotted, past-tense event type.
    public var type: String
    /// Schema version of the payload.
    public var version: Int
    /// Who caused it.
    public var actor: Actor
    /// The request it came from.
    public var request: RequestInfo
    /// Streams it belongs to.
    public var streams: [StreamRef]
    /// The payload bytes (a CBOR map).
    public var payload: [UInt8]
    /// `SHA-256(previous hash || seq (8 bytes, big-endian) || event bytes)`.
    public var hash: [UInt8]

    /// Creates a recorded event.
    public init(
        seq: UInt64, timestamp: Timestamp, type: String, version: Int, actor: Actor, request: RequestInfo,
        streams: [StreamRef], payload: [UInt8], hash: [UInt8]
    ) {
        self.seq = seq
        self.timestamp = timestamp
        self.type = type
        self.version = version
        self.actor = actor
        self.request = request
        self.streams = streams
        self.payload = payload
        self.hash = hash
    }

    /// A reader over the payload fields.
    public func fields() throws(EventDecodingError) -> PayloadReader { try PayloadReader(payload) }
}
