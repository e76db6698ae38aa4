/// A deterministic encoder from ``CBORValue`` to bytes.
///
/// Every head uses the shortest form (RFC 8949 §4.2.1): integers, lengths and tag numbers in
/// the fewest bytes, floats in the shortest width that holds the value exactly (NaN payloads
/// kept), definite lengths only. Map entries are written in the order given; call
/// ``sortingMapKeys(_:)`` first for core deterministic key order. The same value therefore
/// always yields the same bytes, and those bytes pass ``CBORDecoder/requireCanonical`` when
/// the maps are sorted and free of duplicates.
///
/// Encoding recurses once per nesting level of the value, so values built by hand should
/// stay reasonably shallow; anything produced by ``CBORDecoder`` is.
public struct CBOREncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value`.
    /// - Throws: ``CBOREncodingError/invalidSimpleValue(_:)`` for `.simple(20...31)`.
    public func encode(_ value: CBORValue) throws(CBOREncodingError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(value, into: &output)
        return output
    }

    /// Appends the encoding of `value` to `output`. On error, `output` may hold a partial encoding.
    /// - Throws: ``CBOREncodingError/invalidSimpleValue(_:)`` for `.simple(20...31)`.
    public func encode(_ value: CBORValue, into output: inout [UInt8]) throws(CBOREncodingError) {
        switch value {
        case let .unsigned(number):
            Self.appendHead(major: 0, argument: number, to: &output)
        case let .negative(number):
            Self.appendHead(major: 1, argument: number, to: &output)
        case let .byteString(bytes):
            Self.appendHead(major: 2, argument: UInt64(bytes.count), to: &output)
            output.append(contentsOf: bytes)
        case let .textString(text):
            Self.appendHead(major: 3, argument: UInt64(text.utf8.count), to: &output)
            output.append(contentsOf: text.utf8)
        case let .array(items):
            Self.appendHead(major: 4, argument: UInt64(items.count), to: &output)
            for item in items {
                try encode(item, into: &output)
            }
        case let .map(entries):
            Self.appendHead(major: 5, argument: UInt64(entries.count), to: &output)
            for entry in entries {
                try encode(entry.key, into: &output)
                try encode(entry.value, into: &output)
            }
        case let .tagged(tag, content):
            Self.appendHead(major: 6, argument: tag, to: &output)
            try encode(content, into: &output)
        case let .simple(number):
            switch number {
            case 0...19: output.append(0xE0 | number)
            case 20...31: throw .invalidSimpleValue(number)
            default: output.append(contentsOf: [0xF8, number])
            }
        case let .bool(flag):
            output.append(flag ? 0xF5 : 0xF4)
        case .null:
            output.append(0xF6)
        case .undefined:
            output.append(0xF7)
        case let .float(number):
            switch FloatWidth.shortest(number) {
            case let .half(bits):
                output.append(0xF9)
                Self.appendBigEndian(UInt64(bits), byteCount: 2, to: &output)
            case let .single(bits):
                output.append(0xFA)
                Self.appendBigEndian(UInt64(bits), byteCount: 4, to: &output)
            case let .double(bits):
                output.append(0xFB)
                Self.appendBigEndian(bits, byteCount: 8, to: &output)
            }
        }
    }

    /// Returns `value` with the entries of every map (at any depth, keys included) sorted by
    /// the bytewise lexicographic order of their keys' deterministic encodings (RFC 8949
    /// §4.2.1). Entries with equal keys keep their relative order.
    /// - Throws: ``CBOREncodingError`` if a key cannot be encoded.
    public func sortingMapKeys(_ value: CBORValue) throws(CBOREncodingError) -> CBORValue {
        switch value {
        case let .array(items):
            var sorted: [CBORValue] = []
            sorted.reserveCapacity(items.count)
            for item in items {
                sorted.append(try sortingMapKeys(item))
            }
            return .array(sorted)
        case let .map(entries):
            var keyed: [(encodedKey: [UInt8], index: Int, entry: (key: CBORValue, value: CBORValue))] = []
            keyed.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                let key = try sortingMapKeys(entry.key)
                let entryValue = try sortingMapKeys(entry.value)
                keyed.append((try encode(key), index, (key: key, value: entryValue)))
            }
            keyed.sort { left, right in
                if left.encodedKey == right.encodedKey { return left.index < right.index }
                return left.encodedKey.lexicographicallyPrecedes(right.encodedKey)
            }
            return .map(keyed.map(\.entry))
        case let .tagged(tag, content):
            return .tagged(tag, try sortingMapKeys(content))
        default:
            return value
        }
    }

    /// Appends a head (initial byte plus argument) in its shortest form.
    static func appendHead(major: UInt8, argument: UInt64, to output: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24:
            output.append(type | UInt8(argument))
        case 24...0xFF:
            output.append(type | 24)
            output.append(UInt8(argument))
        case 0x100...0xFFFF:
            output.append(type | 25)
            appendBigEndian(argument, byteCount: 2, to: &output)
        case 0x1_0000...0xFFFF_FFFF:
            output.append(type | 26)
            appendBigEndian(argument, byteCount: 4, to: &output)
        default:
            output.append(type | 27)
            appendBigEndian(argument, byteCount: 8, to: &output)
        }
    }

    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to output: inout [UInt8]) {
        var shift = (byteCount - 1) * 8
        while shift >= 0 {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }
}
