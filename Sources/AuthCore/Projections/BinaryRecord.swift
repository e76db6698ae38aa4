import EventLog

/// Writes a projection record in a fixed binary layout: a layout byte, fixed-width integers (little-endian, at fixed
/// offsets, so that a fold can patch them where they lie), then length-prefixed fields (a 32-bit little-endian length,
/// `0xFFFF_FFFF` for an absent field, then the bytes).
///
/// The hot records (sessions, refresh families and tokens) use it instead of CBOR maps: a rebuild folds millions of
/// them, and patching a timestamp or a token hash in place costs no decoding, no `String` and no allocation.
struct BinaryRecordWriter {
    private(set) var bytes: [UInt8]

    /// Starts a record of layout `layout`, with room for about `capacity` bytes.
    init(layout: UInt8, capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(layout)
    }

    /// Appends bytes already in the layout (a stored record's tail).
    mutating func append(_ raw: some Collection<UInt8>) { bytes.append(contentsOf: raw) }

    /// Appends one byte.
    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Appends a 64-bit integer, little-endian.
    mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The record `stored` (of layout `layout`) with its last field, which starts at offset `lastField`, replaced by
    /// `value`: the bytes before it are kept as they lie (no decoding into strings and back).
    static func replacingLastField(
        of stored: UnsafeRawBufferPointer, from lastField: Int, layout: UInt8, with value: some Collection<UInt8>
    ) -> [UInt8] {
        var writer = BinaryRecordWriter(layout: layout, capacity: lastField + 4 + value.count)
        writer.append(stored[1..<lastField])
        writer.field(value)
        return writer.bytes
    }

    /// Appends a length-prefixed field, or the absent marker for nil.
    mutating func field(_ value: (some Collection<UInt8>)?) {
        guard let value else {
            withUnsafeBytes(of: UInt32.max.littleEndian) { bytes.append(contentsOf: $0) }
            return
        }
        withUnsafeBytes(of: UInt32(value.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: value)
    }
}

/// Reads a record written by ``BinaryRecordWriter``, checking every length against the bytes (a malformed record is
/// an error, never a crash).
struct BinaryRecordReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int

    /// Reads the whole record `bytes` of layout `layout` with `body`, then checks that nothing is left over.
    static func decode<R>(
        _ bytes: [UInt8], layout: UInt8, _ body: (inout BinaryRecordReader) throws(EventDecodingError) -> R
    ) throws -> R {
        try bytes.withUnsafeBytes { (stored: UnsafeRawBufferPointer) throws(EventDecodingError) -> R in
            var reader = try BinaryRecordReader(stored, layout: layout)
            let record = try body(&reader)
            try reader.end()
            return record
        }
    }

    /// Starts reading `bytes`, which must begin with `layout`.
    init(_ bytes: UnsafeRawBufferPointer, layout: UInt8) throws(EventDecodingError) {
        guard bytes.count > 0, bytes[0] == layout else { throw .malformed("unknown record layout") }
        self.bytes = bytes
        position = 1
    }

    /// Reads one byte.
    mutating func byte() throws(EventDecodingError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a 64-bit little-endian integer.
    mutating func int64() throws(EventDecodingError) -> Int64 {
        guard bytes.count - position >= 8 else { throw .truncated }
        defer { position += 8 }
        return Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int64.self))
    }

    /// Reads a field's byte range, or nil for an absent field.
    mutating func fieldRange() throws(EventDecodingError) -> Range<Int>? {
        guard bytes.count - position >= 4 else { throw .truncated }
        let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position += 4
        if length == UInt32.max { return nil }
        guard bytes.count - position >= Int(length) else { throw .truncated }
        defer { position += Int(length) }
        return position..<(position + Int(length))
    }

    /// Reads a field that must be present.
    mutating func requiredRange() throws(EventDecodingError) -> Range<Int> {
        guard let range = try fieldRange() else { throw .malformed("missing record field") }
        return range
    }

    /// Reads a required text field.
    mutating func string() throws(EventDecodingError) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[try requiredRange()]), as: UTF8.self)
    }

    /// Reads an optional text field.
    mutating func optionalString() throws(EventDecodingError) -> String? {
        try fieldRange().map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
    }

    /// Reads a required byte field.
    mutating func byteArray() throws(EventDecodingError) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(rebasing: bytes[try requiredRange()]))
    }

    /// Throws unless every byte was read.
    func end() throws(EventDecodingError) {
        guard position == bytes.count else { throw .malformed("trailing bytes after record") }
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores a 64-bit integer little-endian at `offset` (a fixed field of a binary record).
    @inline(__always)
    func storeInt64(_ value: Int64, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: Int64.self)
    }
}

extension String {
    /// The string's UTF-8 bytes as a slice (for ``BinaryRecordWriter``).
    var utf8Slice: ArraySlice<UInt8> { ArraySlice(utf8) }
}
