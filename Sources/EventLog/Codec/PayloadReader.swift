#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// A signature of each inline entry's key (length and three of its bytes): a lookup compares key bytes only
    /// where the signatures agree.
    private var signatures: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                             UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
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
        var signatures = self.signatures
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
                        let signature = Self.signature(UnsafeBufferPointer(rebasing: buffer[key]))
                        withUnsafeMutableBytes(of: &signatures) { $0.storeBytes(of: signature, toByteOffset: index * 4, as: UInt32.self) }
                    } else {
                        more.append(entry)
                    }
                }
            }
            guard reader.isAtEnd else { throw .malformed("trailing bytes after payload") }
            return count
        }
        self.inline = inline
        self.signatures = signatures
        self.more = more
    }

    @inline(__always)
    private static func signature(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard !key.isEmpty else { return 0 }
        return UInt32(truncatingIfNeeded: key.count) << 24 | UInt32(key[0]) << 16 | UInt32(key[key.count - 1]) << 8
            | UInt32(key[key.count / 2])
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

    /// Reads the value of field `key` with a scanner over the stored bytes in place (no reader holding the array,
    /// so no reference counted per field on a buffer that rebuild threads share); nil if there is no such field.
    /// A value of the wrong type throws ``EventDecodingError/wrongType(_:)``.
    @inline(__always)
    private func scanValue<R>(_ key: String, _ read: (inout CBORScanner) throws(EventDecodingError) -> R) throws(EventDecodingError) -> R? {
        guard let start = valueStart(key) else { return nil }
        let end = end
        let outcome = bytes.withUnsafeBufferPointer { buffer -> Result<R, EventDecodingError> in
            var scanner = CBORScanner(buffer, from: start, to: end)
            do throws(EventDecodingError) { return .success(try read(&scanner)) } catch { return .failure(.wrongType(key)) }
        }
        return try outcome.get()
    }

    /// Where the value of field `key` starts, or nil.
    private func valueStart(_ key: String) -> Int? {
        var key = key
        let found = key.withUTF8 { utf8 -> Int? in
            bytes.withUnsafeBufferPointer { buffer -> Int? in
                func matches(_ index: Int) -> Int? {
                    let (keyRange, value) = entry(index)
                    guard keyRange.count == utf8.count else { return nil }
                    if utf8.isEmpty || memcmp(buffer.baseAddress! + keyRange.lowerBound, utf8.baseAddress!, utf8.count) == 0 {
                        return value
                    }
                    return nil
                }
                let signature = Self.signature(utf8)
                let inlineCount = min(count, Self.inlineCapacity)
                let inlineHit = withUnsafeBytes(of: signatures) { signatures -> Int? in
                    for index in 0..<inlineCount where signatures.load(fromByteOffset: index * 4, as: UInt32.self) == signature {
                        if let value = matches(index) { return value }
                    }
                    return nil
                }
                if let inlineHit { return inlineHit }
                for index in inlineCount..<count { if let value = matches(index) { return value } }
                return nil
            }
        }
        return found
    }

    /// Whether the payload has a field named `key`.
    public func has(_ key: String) -> Bool { valueStart(key) != nil }

    /// The names of all fields, in stored order.
    public var keys: [String] { (0..<count).map { String(decoding: bytes[entry($0).key], as: UTF8.self) } }

    /// A required text field.
    public func string(_ key: String) throws(EventDecodingError) -> String {
        String(decoding: try textBytes(key), as: UTF8.self)
    }

    /// An optional text field.
    public func optionalString(_ key: String) throws(EventDecodingError) -> String? {
        let range = try scanValue(key, { scanner throws(EventDecodingError) in try scanner.optionalTextRange() })
        return (range ?? nil).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// A required text field's UTF-8 bytes, in place (a slice of the stored event: no copy, no `String`).
    public func textBytes(_ key: String) throws(EventDecodingError) -> ArraySlice<UInt8> {
        guard let range = try scanValue(key, { scanner throws(EventDecodingError) in try scanner.textRange() }) else { throw .missingField(key) }
        return bytes[range]
    }

    /// A required byte-string field, in place (a slice of the stored event: no copy).
    public func byteStringBytes(_ key: String) throws(EventDecodingError) -> ArraySlice<UInt8> {
        guard let range = try scanValue(key, { scanner throws(EventDecodingError) in try scanner.byteStringRange() }) else {
            throw .missingField(key)
        }
        return bytes[range]
    }

    /// A required byte-string field.
    public func bytes(_ key: String) throws(EventDecodingError) -> [UInt8] { Array(try byteStringBytes(key)) }

    /// An optional byte-string field.
    public func optionalBytes(_ key: String) throws(EventDecodingError) -> [UInt8]? {
        try scanValue(key, { scanner throws(EventDecodingError) in try scanner.byteStringRange() }).map { Array(bytes[$0]) }
    }

    /// A required signed integer field.
    public func int(_ key: String) throws(EventDecodingError) -> Int64 {
        guard let value = try scanValue(key, { scanner throws(EventDecodingError) in try scanner.int() }) else { throw .missingField(key) }
        return value
    }

    /// An optional signed integer field.
    public func optionalInt(_ key: String) throws(EventDecodingError) -> Int64? {
        try scanValue(key, { scanner throws(EventDecodingError) in try scanner.int() })
    }

    /// A required unsigned integer field.
    public func uint(_ key: String) throws(EventDecodingError) -> UInt64 {
        guard let value = try scanValue(key, { scanner throws(EventDecodingError) in try scanner.uint() }) else { throw .missingField(key) }
        return value
    }

    /// A required boolean field.
    public func bool(_ key: String) throws(EventDecodingError) -> Bool {
        guard let value = try scanValue(key, { scanner throws(EventDecodingError) in try scanner.bool() }) else { throw .missingField(key) }
        return value
    }

    /// An optional boolean field.
    public func optionalBool(_ key: String) throws(EventDecodingError) -> Bool? {
        try scanValue(key, { scanner throws(EventDecodingError) in try scanner.bool() })
    }

    /// A required array-of-text field.
    public func strings(_ key: String) throws(EventDecodingError) -> [String] {
        guard let ranges = try scanValue(key, { scanner throws(EventDecodingError) -> [Range<Int>] in
            let count = try scanner.arrayCount()
            var ranges: [Range<Int>] = []
            ranges.reserveCapacity(count)
            for _ in 0..<count { ranges.append(try scanner.textRange()) }
            return ranges
        }) else { throw .missingField(key) }
        return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }
}
