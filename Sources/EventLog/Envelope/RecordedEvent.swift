/// An event as stored in the log: sequence number, time, envelope, payload and chain hash.
///
/// It is a view over the stored bytes: the envelope is located once, and fields are decoded when read, so replay
/// and rebuilds pay only for what a projection uses.
public struct RecordedEvent: Sendable, Equatable {
    /// Gapless sequence number, starting at 1.
    public let seq: UInt64
    /// The stored value: hash (32 bytes) followed by the event bytes.
    public let stored: [UInt8]
    /// When it was appended (from the injected clock).
    public let timestamp: Timestamp
    /// Dotted, past-tense event type.
    public let type: String
    /// Schema version of the payload.
    public let version: Int
    // Byte offsets of the envelope fields after `version`, and of the payload map.
    private let actorStart: Int
    private let streamsStart: Int
    private let payloadStart: Int

    /// Locates the envelope fields of a stored value (hash || event bytes) found under `seq`.
    public init(seq: UInt64, stored: [UInt8]) throws(EventDecodingError) {
        guard stored.count > 32 else { throw .truncated }
        var reader = CBORReader(stored, from: 32)
        guard try reader.arrayCount() == 11 else { throw .malformed("envelope must be an array of 11 items") }
        let format = try reader.uint()
        guard format == EventCodec.format else { throw .malformed("unknown envelope format \(format)") }
        timestamp = Timestamp(microseconds: try reader.int())
        type = try reader.text()
        let version = try reader.uint()
        guard version <= UInt64(Int32.max) else { throw .malformed("version out of range") }
        self.version = Int(version)
        actorStart = reader.position
        guard Actor.Kind(rawValue: try reader.text()) != nil else { throw .malformed("unknown actor kind") }
        for _ in 0..<4 { _ = try reader.optionalTextRange() }
        streamsStart = reader.position
        let streamCount = try reader.arrayCount()
        for _ in 0..<streamCount {
            let range = try reader.textRange()
            guard stored[range].contains(0x3A) else { throw .malformed("bad stream reference") }
        }
        payloadStart = reader.position
        try reader.skip()
        guard reader.isAtEnd else { throw .malformed("trailing bytes after envelope") }
        self.seq = seq
        self.stored = stored
    }

    /// `SHA-256(previous hash || seq (8 bytes, big-endian) || event bytes)`.
    public var hash: [UInt8] { Array(stored[0..<32]) }

    /// The event bytes (the hashed part after the stored hash).
    public var eventBytes: ArraySlice<UInt8> { stored[32...] }

    /// Who caused it.
    public var actor: Actor {
        var reader = CBORReader(stored, from: actorStart)
        let kind = (try? reader.text()).flatMap(Actor.Kind.init(rawValue:)) ?? .system
        return Actor(kind: kind, id: (try? reader.optionalText()) ?? nil)
    }

    /// The request it came from.
    public var request: RequestInfo {
        var reader = CBORReader(stored, from: actorStart)
        _ = try? reader.text()
        _ = try? reader.optionalText()
        let requestID = (try? reader.optionalText()) ?? nil
        let clientIP = (try? reader.optionalText()) ?? nil
        let userAgent = (try? reader.optionalText()) ?? nil
        return RequestInfo(requestID: requestID, clientIP: clientIP, userAgent: userAgent)
    }

    /// Streams it belongs to.
    public var streams: [StreamRef] {
        var out: [StreamRef] = []
        forEachStream { bytes in
            if let stream = StreamRef(String(decoding: bytes, as: UTF8.self)) { out.append(stream) }
        }
        return out
    }

    /// Calls `body` with the UTF-8 bytes (`kind:id`) of each stream, without building strings.
    public func forEachStream(_ body: (ArraySlice<UInt8>) throws -> Void) rethrows {
        var reader = CBORReader(stored, from: streamsStart)
        guard let count = try? reader.arrayCount() else { return }
        for _ in 0..<count {
            guard let range = try? reader.textRange() else { return }
            try body(stored[range])
        }
    }

    /// The payload bytes (a CBOR map).
    public var payload: [UInt8] { Array(stored[payloadStart...]) }

    /// A reader over the payload fields (no copy).
    public func fields() throws(EventDecodingError) -> PayloadReader {
        try PayloadReader(stored, range: payloadStart..<stored.count)
    }

    public static func == (lhs: RecordedEvent, rhs: RecordedEvent) -> Bool {
        lhs.seq == rhs.seq && lhs.stored == rhs.stored
    }
}
