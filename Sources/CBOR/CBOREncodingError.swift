/// Why ``CBOREncoder`` could not encode a ``CBORValue``.
public enum CBOREncodingError: Error, Equatable, Hashable, Sendable {
    /// ``CBORValue/simple(_:)`` with a value in `20...31`: 20–23 must be written as
    /// ``CBORValue/bool(_:)``, ``CBORValue/null`` and ``CBORValue/undefined`` (so that decoding
    /// gives back an equal value), and 24–31 have no well-formed encoding (RFC 8949 §3.3).
    case invalidSimpleValue(UInt8)
}
