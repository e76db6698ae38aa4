import AuthCrypto
import EventLog
import TestSupport
import Testing

@Suite("Event codec: the stored value the append path builds")
struct EventCodecTests {
    /// Events with every stream kind, ids of several lengths (a CBOR text head of one, two and three bytes) and
    /// non-ASCII text, with and without request fields.
    static func events() -> [PendingEvent] {
        let long = String(repeating: "x", count: 300)
        var events = [testEvent(), testEvent(user: "üser-ß-日本", note: "ü")]
        var plain = testEvent(user: "u9")
        plain.request = RequestInfo()
        plain.streams = [
            StreamRef(.user, "usr_abc"), StreamRef(.session, "ses_" + long), StreamRef(.family, ""),
            StreamRef(.credential, String(repeating: "c", count: 19)),
        ]
        events.append(plain)
        var none = testEvent(user: "u10")
        none.streams = []
        events.append(none)
        return events
    }

    @Test("the stored value built in one buffer is the chain hash of the encoded event followed by it")
    func storedIsHashThenEncoding() throws {
        var previous = EventCodec.genesisHash
        for (offset, event) in Self.events().enumerated() {
            let seq = UInt64(offset + 1)
            let timestamp = Timestamp(microseconds: 1_800_000_000_000_000 + Int64(offset))
            let (stored, hash) = EventCodec.stored(event, seq: seq, timestamp: timestamp, previous: previous)
            let bytes = EventCodec.encode(event, timestamp: timestamp)
            let expectedHash = EventCodec.chainHash(previous: previous, seq: seq, eventBytes: bytes)
            #expect(hash == expectedHash)
            #expect(stored == EventCodec.storedValue(hash: expectedHash, eventBytes: bytes))
            // The hash is SHA-256 over the documented input, computed here without the codec.
            #expect(hash == SHA256.hash(previous + EventCodec.seqKey(seq) + bytes))
            previous = hash
        }
    }

    @Test("streams are stored as the text kind:id and read back as written")
    func streamsReadBack() throws {
        for event in Self.events() {
            let (stored, _) = EventCodec.stored(event, seq: 1, timestamp: Timestamp(microseconds: 1), previous: EventCodec.genesisHash)
            let recorded = try RecordedEvent(seq: 1, stored: stored)
            #expect(recorded.streams == event.streams)
            #expect(recorded.request == event.request)
            for stream in event.streams {
                // Each stream's text, CBOR-encoded from its description, appears in the stored bytes.
                let text = Array(stream.description.utf8)
                #expect(stored.firstRange(of: Self.cborTextHead(text.count) + text) != nil, "\(stream)")
            }
        }
    }

    /// The head of a CBOR text string of `count` bytes (RFC 8949 §3.1, major type 3).
    static func cborTextHead(_ count: Int) -> [UInt8] {
        switch count {
        case 0..<24: [0x60 | UInt8(count)]
        case 24..<256: [0x78, UInt8(count)]
        default: [0x79, UInt8(count >> 8), UInt8(count & 0xFF)]
        }
    }
}
