#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog

/// Reads fields of an event payload (a CBOR map with text keys) in place, searching each from where the last one
/// was found: the projections' hottest paths in rebuilds, which read a few fields of millions of events.
///
/// Where ``PayloadReader`` indexes every entry of the map up front and counts a reference to the stored bytes for
/// itself and for each field it hands out, this cursor walks the map lazily and hands out raw buffers: fields read
/// in the order they are stored cost one pass over the entries up to the last one read, and no reference count is
/// touched (a rebuild's threads all read events of one shared batch buffer, where each count is an atomic write to
/// a cache line they share). Fields read out of order are still found: the search wraps around once.
///
/// Made only by ``RecordedEvent/withFieldsInPlace(_:)``: the cursor and every buffer it returns point into the
/// event's stored bytes and are valid only during that call. A key stored twice (which ``PayloadWriter`` never
/// writes) is found at whichever occurrence the search meets first.
public struct PayloadFieldCursor {
    private let base: UnsafeBufferPointer<UInt8>
    private let entriesStart: Int
    private let count: Int
    private let end: Int
    /// Where the key of entry `index` starts (the entry after the last one found or passed).
    private var position: Int
    private var index = 0
    /// Where the event's envelope has its actor and request fields.
    private let actorStart: Int

    #if DEBUG
    /// Debug builds only: the fields the event's type declares (its `payloadFields`), when the caller sets them.
    /// Each read is then checked against them before the bytes are looked at: the key declared, of the kind read,
    /// and required (the cursor has no optional reads). So an in-place reader's `StaticString` key cannot drift
    /// from the declaration without the tests, which fold every event type through the projections, noticing.
    /// Release builds carry neither the list nor the check.
    public var declaredFields: [PayloadFieldDescriptor] = []

    private func checkDeclared(_ key: StaticString, _ kind: PayloadFieldKind) throws(EventDecodingError) {
        if declaredFields.isEmpty { return }
        let name = "\(key)"
        guard declaredFields.contains(PayloadFieldDescriptor(name: name, kind: kind, isOptional: false)) else {
            let declared = declaredFields.first { $0.name == name }.map { "declared \($0)" } ?? "not declared"
            throw .malformed("in-place read of \(name) as a required \(kind.rawValue) field, but it is \(declared)")
        }
    }
    #endif

    /// A cursor over the map in `buffer[range]`, which must stay as it is while the cursor is used; `envelopeRequest`
    /// is where the event's actor starts in `buffer`, for ``requestClient``.
    init(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, envelopeRequest actorStart: Int) throws(EventDecodingError) {
        self.actorStart = actorStart
        var scanner = CBORScanner(buffer, from: range.lowerBound, to: range.upperBound)
        count = try scanner.mapCount()
        entriesStart = scanner.position
        position = entriesStart
        end = range.upperBound
        base = buffer
    }

    /// A scanner at the value of field `key`, searching from the current entry and wrapping around once; nil if
    /// the map has no such field. The cursor is left at that value (``value(_:_:)`` moves it past).
    @inline(__always)
    private mutating func seek(_ key: StaticString) throws(EventDecodingError) -> CBORScanner? {
        let wanted = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        for _ in 0..<count {
            if index == count { (index, position) = (0, entriesStart) }
            var scanner = CBORScanner(base, from: position, to: end)
            let name = try scanner.textRange()
            index += 1
            if scanner.bytes(name, equal: wanted) {
                position = scanner.position
                return scanner
            }
            try scanner.skip()
            position = scanner.position
        }
        return nil
    }

    /// Reads the value of required field `key` with `read`, and moves the cursor past it.
    @inline(__always)
    private mutating func value<R>(_ key: StaticString, _ read: (inout CBORScanner) throws(EventDecodingError) -> R) throws(EventDecodingError) -> R {
        guard var scanner = try seek(key) else { throw .missingField("\(key)") }
        do throws(EventDecodingError) {
            let value = try read(&scanner)
            position = scanner.position
            return value
        } catch {
            // Past the value all the same, so that the cursor stays usable.
            var skipping = CBORScanner(base, from: position, to: end)
            try skipping.skip()
            position = skipping.position
            throw .wrongType("\(key)")
        }
    }

    /// A required text field's UTF-8 bytes, in place.
    public mutating func text(_ key: StaticString) throws(EventDecodingError) -> UnsafeRawBufferPointer {
        #if DEBUG
        try checkDeclared(key, .text)
        #endif
        let range = try value(key) { (scanner) throws(EventDecodingError) in try scanner.textRange() }
        return UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: base[range]))
    }

    /// A required byte-string field, in place.
    public mutating func byteString(_ key: StaticString) throws(EventDecodingError) -> UnsafeRawBufferPointer {
        #if DEBUG
        try checkDeclared(key, .bytes)
        #endif
        let range = try value(key) { (scanner) throws(EventDecodingError) in try scanner.byteStringRange() }
        return UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: base[range]))
    }

    /// A required signed integer field.
    public mutating func int(_ key: StaticString) throws(EventDecodingError) -> Int64 {
        #if DEBUG
        try checkDeclared(key, .int)
        #endif
        return try value(key) { (scanner) throws(EventDecodingError) in try scanner.int() }
    }

    /// A required boolean field.
    public mutating func bool(_ key: StaticString) throws(EventDecodingError) -> Bool {
        #if DEBUG
        try checkDeclared(key, .bool)
        #endif
        return try value(key) { (scanner) throws(EventDecodingError) in try scanner.bool() }
    }

    /// The UTF-8 bytes of the event's request client IP and user agent (nil when absent), in place: envelope
    /// fields, not payload ones, read here for the same in-place paths.
    public var requestClient: (clientIP: UnsafeRawBufferPointer?, userAgent: UnsafeRawBufferPointer?) {
        let (_, clientIP, userAgent) = RecordedEvent.requestRanges(in: UnsafeBufferPointer(rebasing: base[0..<end]), from: actorStart)
        func inPlace(_ range: Range<Int>?) -> UnsafeRawBufferPointer? {
            range.map { UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: base[$0])) }
        }
        return (inPlace(clientIP), inPlace(userAgent))
    }
}
