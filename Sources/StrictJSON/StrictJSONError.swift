/// Why strict JSON parsing failed.
public enum StrictJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not valid UTF-8.
    case invalidUTF8
    /// The text is not JSON (RFC 8259) at this byte offset, or has content after the value.
    case syntax(offset: Int)
    /// An object has this member name twice; `path` locates it (`a.b`, `items[0].id`).
    case duplicateKey(String, path: String)
    /// Arrays and objects nest deeper than `limit`.
    case tooDeep(limit: Int)
    /// A number does not fit a finite double.
    case numberOutOfRange(offset: Int)

    /// A short explanation.
    public var description: String {
        switch self {
        case .invalidUTF8: "not valid UTF-8"
        case let .syntax(offset): "not valid JSON at byte \(offset)"
        case let .duplicateKey(_, path): "duplicate member '\(path)'"
        case let .tooDeep(limit): "nested deeper than \(limit) levels"
        case let .numberOutOfRange(offset): "number out of range at byte \(offset)"
        }
    }
}
