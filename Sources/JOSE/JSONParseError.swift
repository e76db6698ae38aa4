/// Why strict JSON parsing failed.
public enum JSONParseError: Error, Sendable, Equatable {
    /// The bytes are not valid UTF-8.
    case invalidUTF8
    /// The text is not JSON (RFC 8259) at this byte offset, or has content after the value.
    case syntax(offset: Int)
    /// An object has this member name twice.
    case duplicateKey(String)
    /// Arrays and objects nest deeper than the parser allows.
    case tooDeep
    /// A number does not fit a finite double.
    case numberOutOfRange(offset: Int)
}
