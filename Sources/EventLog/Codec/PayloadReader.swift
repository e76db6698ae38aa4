/// Reads fields of an event payload (a CBOR map with text keys) by name, in any order.
///
/// Unknown fields are ignored (old readers tolerate additive changes); upcasters use ``has(_:)`` to tell versions apart.
public struct PayloadReader {
    private let bytes: [UInt8]
    /// Where each entry's key bytes start and where its value starts (right after them), as
    /// `keyStart << 32 | valueStart`.
    /// The first 16 entries are kept inline (no allocation per payload), the rest in `more`.
    private var inline: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                         UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var more: [UInt64] = []
    private let count: Int
    private let end: Int

    private static let inlineCapacity = 16

    /// Parses the map found in `bytes[range]`.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) throws(EventDecodingError) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        self.end = range.upperBound
        guard range.upperBound <= Int(UInt32.max) else { throw .malformed("payload too large") }
        var inline = self.inline
        var more: [UInt64] = []
        count = try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(EventDecodingError) -> Int in
            var reader = CBORScanner(buffer, from: range.lowerBound, to: range.upperBound)
            let count = try reader.mapCount()
            try withUnsafeMutableBytes(of: &inline) { (slots: UnsafeMutableRawBufferPointer) throws(EventDecodingError) in
                for index in 0..<count {
                    let key = try reader.textRange()
                    let entry = UInt64(key.lowerBound) << 32 | UInt64(key.upperBound)
                    try reader.skip()
                    if index < Self.inlineCapacity {
                        slots.storeBytes(of: entry, toByteOffset: index * 8, as: UInt64.self)
                    } else {
                        more.append(entry)
                    }
                }
            }
            guard reader.isAtEnd else { throw .malformed("trailing bytes after payload") }
            return count
        }
        self.inline = inline
        self.more = more
    }

    @inline(__always)
    private func entry(_ index: Int) -> (key: Range<Int>, value: Int) {
        let packed = index < Self.inlineCapacity
            ? withUnsafeBytes(of: inline) { $0.load(fromByteOffset: index * 8, as: UInt64.self) }
            : more[index - Self.inlineCapacity]
        // The key's bytes end where its value starts.
        let value = Int(packed & 0xFFFF_FFFF)
        return (Int(packed >> 32)..<value, value)
    }

    private func valueReader(_ key: String) -> CBORReader? {
        var key = key
        return key.withUTF8 { utf8 -> CBORReader? in
            bytes.withUnsafeBufferPointer { buffer -> CBORReader? in
                for index in 0..<count {
                    let (keyRange, value) = entry(index)
                    if keyRange.count == utf8.count && UnsafeBufferPointer(rebasing: buffer[keyRange]).elementsEqual(utf8) {
                        return CBORReader(bytes, from: value, to: end)
                    }
                }
                return nil
            }
        }
    }

    /// Whether the payload has a field named `key`.
    public func has(_ key: String) -> Bool { valueReader(key) != nil }

    /// The names of all fields, in stored order.
    public var keys: [String] { (0..<count).map { String(decoding: bytes[entry($0).key], as: UTF8.self) } }

    /// A required text field.
    public func string(_ key: String) throws(EventDecodingError) -> String {
        guard var reader = valueReader(key) else { throw .missingField(key) }
        do { return try reader.text() } catch { throw .wrongType(key) }
    }

    /// An optional text field.
    public func optionalString(_ key: String) throws(EventDecodingError) -> String? {
        guard var reader = valueReader(key) else { return nil }
        do { return try reader.optionalText() } catch { throw .wrongType(key) }
    }

    /// A required byte-string field.
    public func bytes(_ key: String) throws(EventDecodingError) -> [UInt8] {
        guard var reader = valueReader(key) else { throw .missingField(key) }
        do { return try reader.byteString() } catch { throw .wrongType(key) }
    }

    /// An optional byte-string field.
    public func optionalBytes(_ key: String) throws(EventDecodingError) -> [UInt8]? {
        has(key) ? try bytes(key) : nil
    }

    /// A required signed integer field.
    public func int(_ key: String) throws(EventDecodingError) -> Int64 {
        guard var reader = valueReader(key) else { throw .missingField(key) }
        do { return try reader.int() } catch { throw .wrongType(key) }
    }

    /// An optional signed integer field.
    public func optionalInt(_ key: String) throws(EventDecodingError) -> Int64? {
        has(key) ? try int(key) : nil
    }

    /// A required unsigned integer field.
    public func uint(_ key: String) throws(EventDecodingError) -> UInt64 {
        guard var reader = valueReader(key) else { throw .missingField(key) }
        do { return try reader.uint() } catch { throw .wrongType(key) }
    }

    /// A required boolean field.
    public func bool(_ key: String) throws(EventDecodingError) -> Bool {
        guard var reader = valueReader(key) else { throw .missingField(key) }
        do { return try reader.bool() } catch { throw .wrongType(key) }
    }

    /// An optional boolean field.
    public func optionalBool(_ key: String) throws(EventDecodingError) -> Bool? {
        has(key) ? try bool(key) : nil
    }

    /// A required array-of-text field.
    public func strings(_ key: String) throws(EventDecodingError) -> [String] {
        guard var reader = valueReader(key) else { throw .missingField(key) }
        do {
            let count = try reader.arrayCount()
            var out: [String] = []
            out.reserveCapacity(count)
            for _ in 0..<count { out.append(try reader.text()) }
            return out
        } catch {
            throw .wrongType(key)
        }
    }
}
