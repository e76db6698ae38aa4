import AuthCrypto

/// The stored form of events, and the hash chain over it.
///
/// Stored value (key: seq as 8 bytes big-endian): `hash (32 bytes) || event bytes`. The event bytes are one CBOR array
/// (RFC 8949, deterministic encoding):
/// `[format (1), timestamp µs, type, version, actor kind, actor id|null, request id|null, client ip|null,
///   user agent|null, [stream "kind:id", ...], payload map]`.
/// CBOR decodes to JSON with any standard tool (auditable) and is read here without building intermediate trees
/// (fast to replay); see docs/ARCHITECTURE.md.
public enum EventCodec {
    /// The envelope format this code writes.
    public static let format: UInt64 = 1
    /// The hash that precedes the first event.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// The event bytes of `event` at `timestamp`.
    public static func encode(_ event: PendingEvent, timestamp: Timestamp) -> [UInt8] {
        var writer = CBORWriter(capacity: 128 + event.payload.count)
        write(event, timestamp: timestamp, to: &writer)
        return writer.bytes
    }

    /// The stored value of `event` appended as `seq` at `timestamp` after the event whose chain hash is `previous`
    /// (``storedValue(hash:eventBytes:)`` of ``encode(_:timestamp:)`` and ``chainHash(previous:seq:eventBytes:)``),
    /// built in one buffer, and its chain hash.
    public static func stored(
        _ event: PendingEvent, seq: UInt64, timestamp: Timestamp, previous: [UInt8]
    ) -> (stored: [UInt8], hash: [UInt8]) {
        var writer = CBORWriter(capacity: 32 + 128 + event.payload.count)
        writer.bytes.append(contentsOf: genesisHash)  // the hash's place, filled in below
        write(event, timestamp: timestamp, to: &writer)
        let hash = chainHash(previous: previous, seq: seq, eventBytes: writer.bytes[32...])
        writer.bytes.replaceSubrange(0..<32, with: hash)
        return (writer.bytes, hash)
    }

    private static func write(_ event: PendingEvent, timestamp: Timestamp, to writer: inout CBORWriter) {
        writer.head(4, 11)
        writer.uint(format)
        writer.int(timestamp.microseconds)
        writer.text(event.type)
        writer.uint(UInt64(event.version))
        writer.text(event.actor.kind.rawValue)
        writer.optionalText(event.actor.id)
        writer.optionalText(event.request.requestID)
        writer.optionalText(event.request.clientIP)
        writer.optionalText(event.request.userAgent)
        writer.head(4, UInt64(event.streams.count))
        for stream in event.streams { writer.text(stream) }
        writer.bytes.append(contentsOf: event.payload)
    }

    /// `SHA-256(previous || seq big-endian || eventBytes)`.
    public static func chainHash(previous: [UInt8], seq: UInt64, eventBytes: [UInt8]) -> [UInt8] {
        chainHash(previous: previous, seq: seq, eventBytes: eventBytes[...])
    }

    /// ``chainHash(previous:seq:eventBytes:)`` of event bytes read in place (the part of a stored value after its hash).
    public static func chainHash(previous: [UInt8], seq: UInt64, eventBytes: ArraySlice<UInt8>) -> [UInt8] {
        var hasher = AuthCrypto.SHA256()
        hasher.update(previous)
        hasher.update(seqKey(seq))
        hasher.update(eventBytes)
        return hasher.finalize()
    }

    /// The stored value: hash followed by the event bytes.
    public static func storedValue(hash: [UInt8], eventBytes: [UInt8]) -> [UInt8] {
        var value = hash
        value.reserveCapacity(32 + eventBytes.count)
        value.append(contentsOf: eventBytes)
        return value
    }

    /// The LMDB key of `seq`: 8 bytes big-endian, so key order is log order.
    @inline(__always)
    public static func seqKey(_ seq: UInt64) -> [UInt8] {
        withUnsafeBytes(of: seq.bigEndian) { Array($0) }
    }

    /// The sequence number in an LMDB key.
    @inline(__always)
    public static func seq(fromKey key: [UInt8]) -> UInt64? {
        guard key.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in key { value = value << 8 | UInt64(byte) }
        return value
    }

    /// Decodes a stored value (hash || event bytes) found under `seq`.
    public static func decode(seq: UInt64, stored: [UInt8]) throws(EventDecodingError) -> RecordedEvent {
        try RecordedEvent(seq: seq, stored: stored)
    }

    /// Whether the stored event's type is one of `types` (UTF-8), without decoding the rest.
    static func hasType(stored: [UInt8], in types: [[UInt8]]) throws(EventDecodingError) -> Bool {
        var reader = CBORReader(stored, from: 32)
        _ = try reader.arrayCount()
        _ = try reader.uint()
        _ = try reader.int()
        let range = try reader.textRange()
        for type in types where type.count == range.count {
            if stored[range].elementsEqual(type) { return true }
        }
        return false
    }
}
