import AuthCrypto
import StrictJSON

/// A policy document: roles with their permissions, and ABAC rules.
///
/// ```json
/// {"roles": {"editor": ["posts:read", "posts:update"], "super_admin": ["*"]},
///  "rules": [{"id": "clearance", "effect": "forbid", "permissions": ["documents:*"],
///             "when": [{"attr": "user.clearance", "op": "lt", "ref": "resource.classification_level"}]}]}
/// ```
public struct Policy: Sendable, Equatable {
    /// Roles by name, with their permission patterns.
    public var roles: [String: [String]]
    /// The rules, in document order.
    public var rules: [PolicyRule]

    /// Creates a policy.
    public init(roles: [String: [String]] = [:], rules: [PolicyRule] = []) {
        self.roles = roles
        self.rules = rules
    }

    /// The largest document accepted, in bytes.
    public static let maxBytes = 1 << 20
    /// The most rules one document may hold.
    public static let maxRules = 1_000

    /// Parses and checks a document; the error names the rule and the field at fault.
    public static func parse(_ bytes: [UInt8]) throws(PolicyError) -> Policy {
        guard bytes.count <= maxBytes else { throw PolicyError(rule: nil, field: "", message: "the document is larger than \(maxBytes) bytes") }
        let json: JSONValue
        do {
            json = try StrictJSONParser.parse(bytes)
        } catch {
            throw PolicyError(rule: nil, field: "", message: "not valid JSON: \(error)")
        }
        guard let top = json.objectValue else { throw PolicyError(rule: nil, field: "", message: "expected a JSON object") }
        for key in top.keys where key != "roles" && key != "rules" {
            throw PolicyError(rule: nil, field: key, message: "unknown member (expected roles and rules)")
        }
        var policy = Policy()
        if let roles = top["roles"] {
            guard let members = roles.objectValue else { throw PolicyError(rule: nil, field: "roles", message: "expected an object") }
            for (name, value) in members {
                guard PermissionSet.isValidRoleName(name) else {
                    throw PolicyError(rule: nil, field: "roles.\(name)", message: "role names are 1 to 64 of [A-Za-z0-9_.-]")
                }
                policy.roles[name] = try patterns(value, field: "roles.\(name)", rule: nil)
            }
        }
        if let rules = top["rules"] {
            guard let elements = rules.arrayValue else { throw PolicyError(rule: nil, field: "rules", message: "expected an array") }
            guard elements.count <= maxRules else { throw PolicyError(rule: nil, field: "rules", message: "at most \(maxRules) rules") }
            var seen: Set<String> = []
            for (index, element) in elements.enumerated() {
                let rule = try PolicyRule.parse(element, index: index)
                guard seen.insert(rule.id).inserted else {
                    throw PolicyError(rule: "\(rule.id) (rules[\(index)])", field: "id", message: "another rule has this id")
                }
                policy.rules.append(rule)
            }
        }
        return policy
    }

    /// SHA-256 (hex) of a document's bytes: the `sha256` of `policy.loaded`.
    public static func digest(_ bytes: [UInt8]) -> String { Encoding.hex(SHA256.hash(bytes)) }

    /// A list of permission patterns.
    static func patterns(_ value: JSONValue, field: String, rule: String?) throws(PolicyError) -> [String] {
        guard let elements = value.arrayValue else { throw PolicyError(rule: rule, field: field, message: "expected an array of permissions") }
        var out: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue, PermissionSet.isValidPattern(text) else {
                throw PolicyError(
                    rule: rule, field: "\(field)[\(index)]", message: "expected a permission such as posts:read, posts:* or *")
            }
            out.append(text)
        }
        return out
    }
}

/// Why a policy document was refused: the rule (its id and index) and the field at fault.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule at fault (`id (rules[i])`), or `nil` for the document's top level and roles.
    public let rule: String?
    /// The field at fault, e.g. `when[0].op`.
    public let field: String
    /// What is wrong.
    public let message: String

    public var description: String {
        var text = "policy refused: "
        if let rule { text += "rule \(rule), " }
        if !field.isEmpty { text += "field '\(field)': " }
        return text + message
    }
}
