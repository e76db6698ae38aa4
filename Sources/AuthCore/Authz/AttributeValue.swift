import StrictJSON

/// A value an ABAC condition reads or compares with: a user, resource or context attribute (a string, a number or a
/// boolean), or a list of them (only as the operand of `in`).
public enum AttributeValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([AttributeValue])

    /// The attribute for a JSON scalar (string, number, boolean); `nil` for null, arrays and objects.
    public init?(scalar json: JSONValue) {
        switch json {
        case .string(let text): self = .string(text)
        case .number(let number): self = .number(number)
        case .bool(let flag): self = .bool(flag)
        default: return nil
        }
    }

    /// The JSON form.
    public var json: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        case .list(let values): .array(values.map(\.json))
        }
    }
}

/// A flat attribute object (`{department: "...", clearance: 3}`): strings, numbers and booleans only.
public enum AttributeObject {
    /// Most members one object may have.
    public static let maxMembers = 64
    /// Longest member name and longest string value, in bytes.
    public static let maxNameBytes = 64
    public static let maxStringBytes = 1024

    /// The attributes of `json`, or the reason it is not a flat object of scalars within the limits.
    public static func parse(_ json: JSONValue) -> Result<[String: AttributeValue], AttributeObjectError> {
        guard let members = json.objectValue else { return .failure(AttributeObjectError(member: nil, reason: "expected a JSON object")) }
        guard members.count <= maxMembers else {
            return .failure(AttributeObjectError(member: nil, reason: "at most \(maxMembers) attributes"))
        }
        var out: [String: AttributeValue] = [:]
        for (name, value) in members {
            guard !name.isEmpty, name.utf8.count <= maxNameBytes, name.utf8.allSatisfy(Self.isNameByte) else {
                return .failure(AttributeObjectError(member: name, reason: "names are 1 to \(maxNameBytes) of [A-Za-z0-9_.-]"))
            }
            guard let attribute = AttributeValue(scalar: value) else {
                return .failure(AttributeObjectError(member: name, reason: "values are strings, numbers or booleans"))
            }
            if case .string(let text) = attribute, text.utf8.count > maxStringBytes {
                return .failure(AttributeObjectError(member: name, reason: "strings are at most \(maxStringBytes) bytes"))
            }
            if case .number(let number) = attribute, !number.isFinite {
                return .failure(AttributeObjectError(member: name, reason: "numbers must be finite"))
            }
            out[name] = attribute
        }
        return .success(out)
    }

    /// The canonical text of `attributes` (members sorted, compact): what `user.attributes_changed` stores.
    public static func canonicalText(_ attributes: [String: AttributeValue]) -> String {
        let json = JSONValue.object(attributes.mapValues(\.json))
        return String(decoding: json.serialized() ?? Array("{}".utf8), as: UTF8.self)
    }

    /// The attributes of stored canonical text (empty if unreadable, which the writer never produces).
    public static func fromText(_ text: String) -> [String: AttributeValue] {
        guard let json = try? StrictJSONParser.parse(Array(text.utf8)), case .success(let attributes) = parse(json) else { return [:] }
        return attributes
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

/// Why an attribute object was refused.
public struct AttributeObjectError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member at fault, if one.
    public let member: String?
    /// What is wrong.
    public let reason: String

    public var description: String { member.map { "attribute '\($0)': \(reason)" } ?? reason }
}
