/// One CBOR data item (RFC 8949 §2), as produced by ``CBORDecoder`` and consumed by ``CBOREncoder``.
///
/// Equality and hashing are structural: two values are equal when they have the same case and
/// equal payloads, maps compare entry by entry in order, and floating-point values compare by
/// their bit pattern (so `NaN == NaN` for the same NaN payload, and `0.0 != -0.0`). This keeps
/// `Hashable` lawful and matches the CBOR data model, where `0.0` and `-0.0` are distinct items.
/// Integers and floats are never equal to each other (`1 != 1.0`), as in the data model.
public indirect enum CBORValue: Sendable {
    /// Major type 0: an unsigned integer `0...2^64-1`.
    case unsigned(UInt64)
    /// Major type 1: a negative integer, stored as its raw argument `n`; the value is `-1 - n`,
    /// so the range `-2^64 ... -1` is representable (`.negative(0)` is `-1`).
    case negative(UInt64)
    /// Major type 2: a byte string.
    case byteString([UInt8])
    /// Major type 3: a text string (always valid UTF-8 when produced by the decoder).
    case textString(String)
    /// Major type 4: an array of data items.
    case array([CBORValue])
    /// Major type 5: a map, as an ordered list of key/value pairs (the order of the encoding).
    case map([(key: CBORValue, value: CBORValue)])
    /// Major type 6: a tag number and its content.
    case tagged(UInt64, CBORValue)
    /// Major type 7: a simple value other than `false`, `true`, `null` and `undefined`
    /// (`0...19` and `32...255`; the encoder rejects `20...31`).
    case simple(UInt8)
    /// Major type 7: `false` (simple value 20) or `true` (simple value 21).
    case bool(Bool)
    /// Major type 7: `null` (simple value 22).
    case null
    /// Major type 7: `undefined` (simple value 23).
    case undefined
    /// Major type 7: a half-, single- or double-precision float, widened exactly to `Double`
    /// (NaN payloads are preserved bit for bit).
    case float(Double)
}

extension CBORValue: Equatable {
    /// Structural equality; floats compare by bit pattern (see the type's documentation).
    public static func == (lhs: CBORValue, rhs: CBORValue) -> Bool {
        switch (lhs, rhs) {
        case let (.unsigned(a), .unsigned(b)): return a == b
        case let (.negative(a), .negative(b)): return a == b
        case let (.byteString(a), .byteString(b)): return a == b
        case let (.textString(a), .textString(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.map(a), .map(b)):
            guard a.count == b.count else { return false }
            for (left, right) in zip(a, b) where left.key != right.key || left.value != right.value {
                return false
            }
            return true
        case let (.tagged(tagA, contentA), .tagged(tagB, contentB)): return tagA == tagB && contentA == contentB
        case let (.simple(a), .simple(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        case (.undefined, .undefined): return true
        case let (.float(a), .float(b)): return a.bitPattern == b.bitPattern
        default: return false
        }
    }
}

extension CBORValue: Hashable {
    /// Hashes the case and payload, consistently with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .unsigned(value):
            hasher.combine(0 as UInt8)
            hasher.combine(value)
        case let .negative(value):
            hasher.combine(1 as UInt8)
            hasher.combine(value)
        case let .byteString(bytes):
            hasher.combine(2 as UInt8)
            hasher.combine(bytes)
        case let .textString(text):
            hasher.combine(3 as UInt8)
            hasher.combine(text)
        case let .array(items):
            hasher.combine(4 as UInt8)
            hasher.combine(items)
        case let .map(entries):
            hasher.combine(5 as UInt8)
            hasher.combine(entries.count)
            for entry in entries {
                hasher.combine(entry.key)
                hasher.combine(entry.value)
            }
        case let .tagged(tag, content):
            hasher.combine(6 as UInt8)
            hasher.combine(tag)
            hasher.combine(content)
        case let .simple(value):
            hasher.combine(7 as UInt8)
            hasher.combine(value)
        case let .bool(value):
            hasher.combine(8 as UInt8)
            hasher.combine(value)
        case .null:
            hasher.combine(9 as UInt8)
        case .undefined:
            hasher.combine(10 as UInt8)
        case let .float(value):
            hasher.combine(11 as UInt8)
            hasher.combine(value.bitPattern)
        }
    }
}
