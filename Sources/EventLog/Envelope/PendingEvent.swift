/// An event a command has decided on, before it is appended (no sequence number, time or hash yet).
public struct PendingEvent: Sendable, Equatable {
    /// Dotted, past-tense event type, e.g. `session.created`.
    public var type: String
    /// Schema version of the payload.
    public var version: Int
    /// Who caused it.
    public var actor: Actor
    /// The request it came from.
    public var request: RequestInfo
    /// Streams it belongs to (for the forensic indexes).
    public var streams: [StreamRef]
    /// The payload: a CBOR map written by ``PayloadWriter``.
    public var payload: [UInt8]

    /// Creates a pending event.
    public init(type: String, version: Int, actor: Actor, request: RequestInfo, streams: [StreamRef], payload: [UInt8]) {
        self.type = type
        self.version = version
        self.actor = actor
        self.request = request
        self.streams = streams
        self.payload = payload
    }
}
