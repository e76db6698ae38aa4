/// A statement parameter, sent in PostgreSQL's binary format.
public enum PostgresValue: Sendable, Equatable {
    /// A `bigint` (int8).
    case int64(Int64)
    /// A `bytea`.
    case bytes([UInt8])
    /// A `text` (UTF-8).
    case text(String)

    /// The type OID PostgreSQL is told (int8 20, bytea 17, text 25).
    var oid: UInt32 {
        switch self {
        case .int64: return 20
        case .bytes: return 17
        case .text: return 25
        }
    }

    /// The binary wire form.
    var wire: [UInt8] {
        switch self {
        case .int64(let value):
            let bits = UInt64(bitPattern: value)
            return (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) }
        case .bytes(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        }
    }
}
