/// Maps `DecodingError`s to 400 problems whose detail names the field, without echoing input values.
///
/// | error | detail |
/// | --- | --- |
/// | `keyNotFound` | `missing field 'email'` |
/// | `typeMismatch` | `field 'mode' has the wrong type (expected string)` |
/// | `valueNotFound` | `field 'name' must not be null` |
/// | `dataCorrupted` at a field | `field 'mode' has an invalid value` |
/// | `dataCorrupted` at the root | `request body is not valid JSON` |
///
/// Nested fields are written as a path: `profile.name`, `items[2].id`.
public enum DecodingProblem {
    /// The problem for `error`.
    public static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalidBody("missing field '\(field)'", errors: [(field, "missing")])
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            let expected = jsonTypeName(type).map { " (expected \($0))" } ?? ""
            if field.isEmpty {
                return .invalidBody("request body has the wrong type\(expected)")
            }
            return .invalidBody("field '\(field)' has the wrong type\(expected)", errors: [(field, "wrong_type")])
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return .invalidBody("request body must not be null")
            }
            return .invalidBody("field '\(field)' must not be null", errors: [(field, "null")])
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return .invalidBody("request body is not valid JSON")
            }
            return .invalidBody("field '\(field)' has an invalid value", errors: [(field, "invalid")])
        @unknown default:
            return .invalidBody("request body could not be decoded")
        }
    }

    /// A coding path as `a.b[0].c`.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += key.stringValue
            }
        }
        return result
    }

    /// The JSON name for the Swift type a decoder expected.
    static func jsonTypeName(_ type: Any.Type) -> String? {
        switch type {
        case is String.Type, is Substring.Type, is Character.Type: return "string"
        case is Bool.Type: return "boolean"
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
            is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type:
            return "integer"
        case is Double.Type, is Float.Type: return "number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") && !name.contains(":") { return "array" }
            if name.hasPrefix("Dictionary<") || name.contains(":") { return "object" }
            return nil
        }
    }
}
