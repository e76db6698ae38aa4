@_exported import StrictJSON

/// The parse error of JOSE's JSON (the shared strict parser's).
public typealias JSONParseError = StrictJSONError

extension JSONValue {
    /// Parses UTF-8 JSON strictly (RFC 8259): duplicate member names, lone surrogates, invalid UTF-8,
    /// trailing content and nesting deeper than 32 levels are errors, not silently accepted.
    public init(parsing bytes: [UInt8]) throws(JSONParseError) {
        self = try StrictJSONParser.parse(bytes)
    }
}
