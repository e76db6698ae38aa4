/// Typed accessors and map lookups. Each returns `nil` when the value has another type.
extension CBORValue {
    /// Creates an integer value (`.unsigned` for `value >= 0`, otherwise `.negative`).
    public init(_ value: Int) {
        self = value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(~value))
    }

    /// The integer, if this is `.unsigned` or `.negative` and fits in `Int`.
    public var int: Int? {
        switch self {
        case let .unsigned(number): return Int(exactly: number)
        case let .negative(number): return Int(exactly: number).map { ~$0 }
        default: return nil
        }
    }

    /// The value of an `.unsigned` integer.
    public var uint64: UInt64? {
        if case let .unsigned(number) = self { return number }
        return nil
    }

    /// The bytes of a `.byteString`.
    public var bytes: [UInt8]? {
        if case let .byteString(bytes) = self { return bytes }
        return nil
    }

    /// The string of a `.textString`.
    public var text: String? {
        if case let .textString(text) = self { return text }
        return nil
    }

    /// The elements of an `.array`.
    public var items: [CBORValue]? {
        if case let .array(items) = self { return items }
        return nil
    }

    /// The entries of a `.map`, in order.
    public var entries: [(key: CBORValue, value: CBORValue)]? {
        if case let .map(entries) = self { return entries }
        return nil
    }

    /// The flag of a `.bool`.
    public var boolValue: Bool? {
        if case let .bool(flag) = self { return flag }
        return nil
    }

    /// The number of a `.float` (integers are not converted).
    public var double: Double? {
        if case let .float(number) = self { return number }
        return nil
    }

    /// The tag number of a `.tagged` value.
    public var tagNumber: UInt64? {
        if case let .tagged(tag, _) = self { return tag }
        return nil
    }

    /// The content of a `.tagged` value.
    public var tagContent: CBORValue? {
        if case let .tagged(_, content) = self { return content }
        return nil
    }

    /// The number of a `.simple` value.
    public var simpleValue: UInt8? {
        if case let .simple(number) = self { return number }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Whether this is `.undefined`.
    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The value for `key` in a map (the first entry whose key equals `key`); `nil` if this is
    /// not a map or the key is absent.
    public subscript(key key: CBORValue) -> CBORValue? {
        guard case let .map(entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The value for the text-string key `key` in a map, e.g. `attestation["fmt"]`.
    public subscript(key: String) -> CBORValue? {
        self[key: .textString(key)]
    }

    /// The value for the integer key `key` in a map, e.g. `coseKey[3]` or `coseKey[-1]` for
    /// COSE labels. This is a map lookup, never array indexing (use ``items`` for arrays).
    public subscript(key: Int) -> CBORValue? {
        self[key: CBORValue(key)]
    }
}
