#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An event as stored in the log: sequence number, time, envelope, payload and chain hash.
///
/// It is a view over the stored bytes: the envelope is located once, and fields are decoded when read, so replay
/// and rebuilds pay only for what a projection uses.
// @unchecked Sendable: its bytes are immutable and owned by its storage (`EventBytes`), which the value keeps alive (or,
// in a rebuild's fold, borrowed from the read transaction's view of the log, which outlives every event it reads).
public struct RecordedEvent: @unchecked Sendable, Equatable {
    /// Gapless sequence number, starting at 1.
    public let seq: UInt64
    /// When it was appended (from the injected clock).
    public let timestamp: Timestamp
    /// Dotted, past-tense event type.
    public let type: String
    /// Schema version of the payload.
    public let version: Int
    /// Holds the stored value in `start..<end`: the value alone, or (rebuilds) the values of a whole batch of events,
    /// so that reading a batch allocates once, not once per event.
    package let storage: EventBytes
    /// `storage.base`, the address of its allocation, kept inline for the hot in-place readers
    /// (``prefetchPayload()``, ``forEachStreamInPlace(_:)``, ``withFieldsInPlace(_:)``): valid as long as `storage`,
    /// which this value keeps alive and which never changes its bytes once shared. Reading through it touches no
    /// reference count (nor the storage object), so the optimiser can call them on a batch's events in place instead
    /// of copying each event (and counting a reference to the batch storage that every fold thread shares) around
    /// the call.
    @usableFromInline package let base: UnsafePointer<UInt8>
    package let start: Int
    @usableFromInline package let end: Int
    // Byte offsets in `storage` of the envelope fields after `version`, and of the payload map.
    package let actorStart: Int
    @usableFromInline package let streamsStart: Int
    package let payloadStart: Int

    /// Locates the envelope fields of a stored value (hash || event bytes) found under `seq`.
    public init(seq: UInt64, stored: [UInt8]) throws(EventDecodingError) {
        try self.init(seq: seq, storage: EventBytes(copying: stored))
    }

    /// An event whose stored value is the whole of `storage`.
    private init(seq: UInt64, storage: EventBytes) throws(EventDecodingError) {
        let range = 0..<storage.count
        let envelope = try Self.locate(storage.bytes, in: range)
        self.init(seq: seq, storage: storage, range: range, envelope: envelope, type: envelope.typeString(in: storage.bytes))
    }

    /// Like ``init(seq:stored:)`` for the stored value in `range` of `storage` (a batch's), taking the type's `String` from `names`
    /// (rebuilds: no string is built per event) and reporting its number there (``EventTypeNames/last``). The
    /// payload's structure is not checked here but by whoever reads it (``fields()`` checks it whole): a rebuild
    /// skips events no projection reads, and walking every payload an extra time cost a fifth of its reading.
    /// (`authctl verify` decodes every event in full.)
    package init(seq: UInt64, storage: EventBytes, range: Range<Int>, names: inout EventTypeNames) throws(EventDecodingError) {
        // Within the allocation (`capacity`, a constant: reading `count`, a `var`, would cost an exclusivity check).
        precondition(range.lowerBound >= 0 && range.upperBound <= storage.capacity)
        let bytes = UnsafeBufferPointer(start: UnsafePointer(storage.base), count: range.upperBound)
        let envelope = try Self.locate(bytes, in: range, checkingPayload: false)
        let type = names.intern(UnsafeBufferPointer(rebasing: bytes[envelope.type]))
        self.init(seq: seq, storage: storage, range: range, envelope: envelope, type: type)
    }

    /// Like ``init(seq:storage:range:names:)`` for `buffer[range]` (copied; tests).
    package init(seq: UInt64, buffer: [UInt8], range: Range<Int>, names: inout EventTypeNames) throws(EventDecodingError) {
        try self.init(seq: seq, storage: EventBytes(copying: buffer), range: range, names: &names)
    }

    private init(seq: UInt64, storage: EventBytes, range: Range<Int>, envelope: Envelope, type: String) {
        self.seq = seq
        self.storage = storage
        base = UnsafePointer(storage.base)
        start = range.lowerBound
        end = range.upperBound
        timestamp = Timestamp(microseconds: envelope.timestamp)
        self.type = type
        version = envelope.version
        actorStart = envelope.actorStart
        streamsStart = envelope.streamsStart
        payloadStart = envelope.payloadStart
    }

    /// Where the envelope's fields are in a buffer.
    private struct Envelope {
        var timestamp: Int64
        var type: Range<Int>
        var version: Int
        var actorStart: Int
        var streamsStart: Int
        var payloadStart: Int

        func typeString(in buffer: UnsafeBufferPointer<UInt8>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: buffer[type]), as: UTF8.self)
        }
    }

    /// Whether `bytes` spell an ``Actor/Kind`` (compared with `memcmp`, per event: no array or closure per kind).
    @inline(__always)
    private static func isActorKind(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func equals(_ kind: StaticString) -> Bool {
            bytes.count == kind.utf8CodeUnitCount && memcmp(bytes.baseAddress!, kind.utf8Start, bytes.count) == 0
        }
        // Every case, in the order events have them most (a test checks the list against `allCases`).
        return equals("user") || equals("system") || equals("admin")
    }

    /// Checks the shape of the envelope of the stored value `buffer[range]` and locates its fields, in place; with
    /// `checkingPayload`, also that the payload is one well-formed CBOR item ending the value.
    private static func locate(
        _ buffer: UnsafeBufferPointer<UInt8>, in range: Range<Int>, checkingPayload: Bool = true
    ) throws(EventDecodingError) -> Envelope {
        guard range.count > 32 else { throw .truncated }
        var reader = CBORScanner(buffer, from: range.lowerBound + 32, to: range.upperBound)
        guard try reader.arrayCount() == 11 else { throw .malformed("envelope must be an array of 11 items") }
        let format = try reader.uint()
        guard format == EventCodec.format else { throw .malformed("unknown envelope format \(format)") }
        let timestamp = try reader.int()
        let type = try reader.textRange()
        let version = try reader.uint()
        guard version <= UInt64(Int32.max) else { throw .malformed("version out of range") }
        let actorStart = reader.position
        let kind = try reader.textRange()
        guard !kind.isEmpty, isActorKind(UnsafeBufferPointer(rebasing: buffer[kind])) else {
            throw .malformed("unknown actor kind")
        }
        for _ in 0..<4 { _ = try reader.optionalTextRange() }
        let streamsStart = reader.position
        let streamCount = try reader.arrayCount()
        for _ in 0..<streamCount {
            let stream = try reader.textRange()
            guard !stream.isEmpty, memchr(buffer.baseAddress! + stream.lowerBound, 0x3A, stream.count) != nil else {
                throw .malformed("bad stream reference")
            }
        }
        let payloadStart = reader.position
        guard payloadStart < range.upperBound else { throw .truncated }
        if checkingPayload {
            try reader.skip()
            guard reader.isAtEnd else { throw .malformed("trailing bytes after envelope") }
        }
        return Envelope(
            timestamp: timestamp, type: type, version: Int(version), actorStart: actorStart, streamsStart: streamsStart,
            payloadStart: payloadStart)
    }

    /// Which storage holds the bytes (the events of one batch share one; tests).
    package var storageIdentity: ObjectIdentifier { ObjectIdentifier(storage) }

    /// The stored value: hash (32 bytes) followed by the event bytes.
    public var stored: [UInt8] { copy(start..<end) }

    /// `SHA-256(previous hash || seq (8 bytes, big-endian) || event bytes)`.
    public var hash: [UInt8] { copy(start..<(start + 32)) }

    /// The event bytes (the hashed part after the stored hash).
    public var eventBytes: ArraySlice<UInt8> { copy((start + 32)..<end)[...] }

    /// A copy of the stored bytes in `range`.
    private func copy(_ range: Range<Int>) -> [UInt8] { Array(UnsafeBufferPointer(rebasing: storedBytes[range])) }

    /// The UTF-8 text in `range` of the stored bytes.
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: storedBytes[range]), as: UTF8.self)
    }

    /// Who caused it.
    public var actor: Actor {
        var reader = CBORScanner(storedBytes, from: actorStart, to: end)
        let kind = (try? reader.textRange()).flatMap { Actor.Kind(rawValue: text($0)) } ?? .system
        return Actor(kind: kind, id: ((try? reader.optionalTextRange()) ?? nil).map(text))
    }

    /// The request it came from.
    public var request: RequestInfo {
        let (requestID, clientIP, userAgent) = requestRanges
        func text(_ range: Range<Int>?) -> String? { range.map(self.text) }
        return RequestInfo(requestID: text(requestID), clientIP: text(clientIP), userAgent: text(userAgent))
    }

    /// Where the request's fields are in the stored bytes (after the actor's kind and id; nil when absent).
    private var requestRanges: (requestID: Range<Int>?, clientIP: Range<Int>?, userAgent: Range<Int>?) {
        Self.requestRanges(in: storedBytes, from: actorStart)
    }

    /// Where the request's fields are in `buffer`, whose actor starts at `actorStart` (nil when absent).
    package static func requestRanges(
        in buffer: UnsafeBufferPointer<UInt8>, from actorStart: Int
    ) -> (requestID: Range<Int>?, clientIP: Range<Int>?, userAgent: Range<Int>?) {
        var reader = CBORScanner(buffer, from: actorStart, to: buffer.count)
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
        var reader = CBORScanner(storedBytes, from: streamsStart, to: end)
        guard let count = try? reader.arrayCount() else { return }
        for _ in 0..<count {
            guard let range = try? reader.textRange() else { return }
            try body(copy(range)[...])
        }
    }

    /// The stored value's bytes (and those before it in a batch's storage), in place (``base``): valid while this
    /// event lives (and, for storage borrowed in place, ``EventBytes/init(borrowing:)``, while its transaction does).
    @inlinable
    package var storedBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: end) }

    /// Calls `body` with the UTF-8 bytes of each stream, in place (valid only during the call).
    @inlinable @inline(__always)
    package func forEachStreamInPlace(_ body: (UnsafeRawBufferPointer) -> Void) {
        Self.forEachStreamInPlace(storedBytes, streamsStart: streamsStart, body)
    }

    /// Calls `body` with the UTF-8 bytes of each stream of the event stored in `stored` (``storedBytes``) whose
    /// streams array starts at `streamsStart`, in place: for a reader holding the stored fields rather than the event.
    @inlinable @inline(__always)
    package static func forEachStreamInPlace(
        _ stored: UnsafeBufferPointer<UInt8>, streamsStart: Int, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        var reader = CBORScanner(stored, from: streamsStart, to: stored.count)
        guard let count = try? reader.arrayCount(), let base = stored.baseAddress else { return }
        for _ in 0..<count {
            guard let range = try? reader.textRange() else { return }
            body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
        }
    }

    /// The payload bytes (a CBOR map).
    public var payload: [UInt8] { copy(payloadStart..<end) }

    /// A reader over the payload fields (over a copy of the payload: the reader holds an array).
    public func fields() throws(EventDecodingError) -> PayloadReader {
        try PayloadReader(payload)
    }

    public static func == (lhs: RecordedEvent, rhs: RecordedEvent) -> Bool {
        lhs.seq == rhs.seq && lhs.end - lhs.start == rhs.end - rhs.start
            && memcmp(lhs.base + lhs.start, rhs.base + rhs.start, lhs.end - lhs.start) == 0
    }
}

/// The event types met so far, each with one shared `String` and a number (for per-type lookup tables).
///
/// Seeded with the type names projections compare against (their literals): an event's `type` is then that very
/// string, and a projection's `switch event.type` finds its case by identity instead of comparing bytes.
package struct EventTypeNames {
    package private(set) var names: [String] = []
    private var bytes: [[UInt8]] = []
    /// Length and first and last 8 bytes of each type (zero-padded): compared before the bytes.
    private var signatures: [(Int, UInt64, UInt64)] = []
    /// Names whose string to use when met (not yet numbered: numbers follow first appearance).
    private var known: [String: String] = [:]
    /// The number of the type interned last.
    package private(set) var last = 0

    /// Names that, when met, are represented by the given strings.
    package init(known: some Sequence<String> = []) {
        for name in known { self.known[name] = name }
    }

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
    package mutating func intern(_ type: UnsafeBufferPointer<UInt8>) -> String {
        let signature = Self.signature(type)
        for (number, known) in signatures.enumerated() where known == signature {
            // Equal lengths (part of the signature): one `memcmp`, not a generic element-by-element walk.
            if type.isEmpty || bytes[number].withUnsafeBufferPointer({ memcmp($0.baseAddress!, type.baseAddress!, type.count) == 0 }) {
                last = number
                return names[number]
            }
        }
        let decoded = String(decoding: type, as: UTF8.self)
        let name = known[decoded] ?? decoded
        last = names.count
        names.append(name)
        bytes.append(Array(type))
        signatures.append(signature)
        return name
    }
}
