import StrictJSON

/// A strictly parsed JSON value (the shared ``StrictJSON/StrictJSONParser``'s), with the accessors the WebAuthn
/// parsers use. Numbers matter only by presence; integers are read exactly when they fit.
typealias JSONNode = JSONValue

extension JSONValue {
    /// The string, if this is a string.
    var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The members, if this is an object.
    var object: [String: JSONNode]? {
        if case let .object(value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    var array: [JSONNode]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// The flag, if this is a Boolean.
    var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The number as an exact integer, if this is an integral number in `Int` range.
    var int: Int? {
        if case let .number(value) = self, let exact = Int(exactly: value) { return exact }
        return nil
    }
}
