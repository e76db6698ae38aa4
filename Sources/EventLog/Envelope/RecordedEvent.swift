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
        let envelope = try Self.locate(stored)
        self.init(seq: seq, stored: stored, envelope: envelope, type: envelope.typeString(in: stored))
    }

    /// Like ``init(seq:stored:)``, taking the type's `String` from `names` (rebuilds: no string is built per event)
    /// and reporting its number there (``EventTypeNames/last``).
    init(seq: UInt64, stored: [UInt8], names: inout EventTypeNames) throws(EventDecodingError) {
        let envelope = try Self.locate(stored)
        let type = stored.withUnsafeBufferPointer { names.intern(UnsafeBufferPointer(rebasing: $0[envelope.type])) }
        self.init(seq: seq, stored: stored, envelope: envelope, type: type)
    }

    private init(seq: UInt64, stored: [UInt8], envelope: Envelope, type: String) {
        self.seq = seq
        self.stored = stored
        timestamp = Timestamp(microseconds: envelope.timestamp)
        self.type = type
        version = envelope.version
        actorStart = envelope.actorStart
        streamsStart = envelope.streamsStart
        payloadStart = envelope.payloadStart
    }

    /// Where the envelope's fields are in a stored value.
    private struct Envelope {
        var timestamp: Int64
        var type: Range<Int>
        var version: Int
        var actorStart: Int
        var streamsStart: Int
        var payloadStart: Int

        func typeString(in stored: [UInt8]) -> String {
            stored.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[type]), as: UTF8.self) }
        }
    }

    private static let actorKinds = Actor.Kind.allCases.map { Array($0.rawValue.utf8) }

    /// Checks the envelope's shape and locates its fields, in place.
    private static func locate(_ stored: [UInt8]) throws(EventDecodingError) -> Envelope {
        guard stored.count > 32 else { throw .truncated }
        return try stored.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(EventDecodingError) -> Envelope in
            var reader = CBORScanner(buffer, from: 32)
            guard try reader.arrayCount() == 11 else { throw .malformed("envelope must be an array of 11 items") }
            let format = try reader.uint()
            guard format == EventCodec.format else { throw .malformed("unknown envelope format \(format)") }
            let timestamp = try reader.int()
            let type = try reader.textRange()
            let version = try reader.uint()
            guard version <= UInt64(Int32.max) else { throw .malformed("version out of range") }
            let actorStart = reader.position
            let kind = try reader.textRange()
            guard actorKinds.contains(where: { $0.withUnsafeBufferPointer { reader.bytes(kind, equal: $0) } }) else {
                throw .malformed("unknown actor kind")
            }
            for _ in 0..<4 { _ = try reader.optionalTextRange() }
            let streamsStart = reader.position
            let streamCount = try reader.arrayCount()
            for _ in 0..<streamCount {
                let range = try reader.textRange()
                guard UnsafeBufferPointer(rebasing: buffer[range]).contains(0x3A) else { throw .malformed("bad stream reference") }
            }
            let payloadStart = reader.position
            try reader.skip()
            guard reader.isAtEnd else { throw .malformed("trailing bytes after envelope") }
            return Envelope(
                timestamp: timestamp, type: type, version: Int(version), actorStart: actorStart, streamsStart: streamsStart,
                payloadStart: payloadStart)
        }
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
        let (requestID, clientIP, userAgent) = requestRanges
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: stored[$0], as: UTF8.self) } }
        return RequestInfo(requestID: text(requestID), clientIP: text(clientIP), userAgent: text(userAgent))
    }

    /// The UTF-8 bytes of the request's client IP and user agent, in place (slices of ``stored``: no `String`).
    public var requestClientBytes: (clientIP: ArraySlice<UInt8>?, userAgent: ArraySlice<UInt8>?) {
        let (_, clientIP, userAgent) = requestRanges
        return (clientIP.map { stored[$0] }, userAgent.map { stored[$0] })
    }

    /// Where the request's fields are in ``stored`` (after the actor's kind and id; nil when absent).
    private var requestRanges: (requestID: Range<Int>?, clientIP: Range<Int>?, userAgent: Range<Int>?) {
        var reader = CBORReader(stored, from: actorStart)
        _ = try? reader.textRange()
        _ = try? reader.optionalTextRange()
        let requestID = (try? reader.optionalTextRange()) ?? nil
        let clientIP = (try? reader.optionalTextRange()) ?? nil
        let userAgent = (try? reader.optionalTextRange()) ?? nil
        return (requestID, clientIP, userAgent)
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

    /// Calls `body` with the UTF-8 bytes of each stream, in place (valid only during the call).
    func forEachStreamInPlace(_ body: (UnsafeRawBufferPointer) -> Void) {
        stored.withUnsafeBufferPointer { buffer in
            var reader = CBORScanner(buffer, from: streamsStart)
            guard let count = try? reader.arrayCount() else { return }
            for _ in 0..<count {
                guard let range = try? reader.textRange() else { return }
                body(UnsafeRawBufferPointer(start: buffer.baseAddress! + range.lowerBound, count: range.count))
            }
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

/// The event types met so far, each with one shared `String` and a number (for per-type lookup tables).
struct EventTypeNames {
    private(set) var names: [String] = []
    private var bytes: [[UInt8]] = []
    /// Length and first and last 8 bytes of each type (zero-padded): compared before the bytes.
    private var signatures: [(Int, UInt64, UInt64)] = []
    /// The number of the type interned last.
    private(set) var last = 0

    @inline(__always)
    private static func signature(_ type: UnsafeBufferPointer<UInt8>) -> (Int, UInt64, UInt64) {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        for index in 0..<min(8, type.count) {
            head |= UInt64(type[index]) << UInt64(8 * index)
            tail |= UInt64(type[type.count - 1 - index]) << UInt64(8 * index)
        }
        return (type.count, head, tail)
    }

    /// The shared string for the type whose UTF-8 bytes are `type`.
    mutating func intern(_ type: UnsafeBufferPointer<UInt8>) -> String {
        let signature = Self.signature(type)
        for (number, known) in signatures.enumerated() where known == signature {
            if bytes[number].withUnsafeBufferPointer({ $0.elementsEqual(type) }) {
                last = number
                return names[number]
            }
        }
        let name = String(decoding: type, as: UTF8.self)
        last = names.count
        names.append(name)
        bytes.append(Array(type))
        signatures.append(signature)
        return name
    }
}
