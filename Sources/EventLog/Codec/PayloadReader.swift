/// Reads fields of an event payload (a CBOR map with text keys) by name, in any order.
///
/// Unknown fields are ignored (old readers tolerate additive changes); upcasters use ``has(_:)`` to tell versions apart.
public struct PayloadReader {
    private let bytes: [UInt8]
    /// (key range, value start) per entry.
    private var entries: [(key: Range<Int>, value: Int)] = []
    private let end: Int

    /// Parses the map found in `bytes[range]`.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) throws(EventDecodingError) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        self.end = range.upperBound
        var reader = CBORReader(bytes, from: range.lowerBound, to: range.upperBound)
        let count = try reader.mapCount()
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = try reader.textRange()
            let value = reader.position
            try reader.skip()
            entries.append((key, value))
        }
        guard reader.isAtEnd else { throw .malformed("trailing bytes after payload") }
    }

    private func valueReader(_ key: String) -> CBORReader? {
        var key = key
        return key.withUTF8 { utf8 -> CBORReader? in
            for entry in entries where entry.key.count == utf8.count {
                if bytes[entry.key].elementsEqual(utf8) {
                    return CBORReader(bytes, from: entry.value, to: end)
                }
            }
            return nil
        }
    }

    /// Whether the payload has a field named `key`.
    public func has(_ key: String) -> Bool { valueReader(key) != nil }

    /// The names of all fields, in stored order.
    public var keys: [String] { entries.map { String(decoding: bytes[$0.key], as: UTF8.self) } }

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
