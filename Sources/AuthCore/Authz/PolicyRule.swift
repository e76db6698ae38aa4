import StrictJSON

/// An ABAC rule: when every condition of `when` holds, the rule applies to the permissions it names. A `forbid`
/// that applies denies (whatever the roles grant); a `permit` that applies allows.
public struct PolicyRule: Sendable, Equatable {
    /// `permit` or `forbid`.
    public enum Effect: String, Sendable {
        case permit, forbid
    }

    /// The rule's id (named in decisions).
    public var id: String
    public var effect: Effect
    /// The permission patterns the rule is about.
    public var permissions: [String]
    /// The conditions, all of which must hold.
    public var when: [PolicyCondition]

    /// Creates a rule.
    public init(id: String, effect: Effect, permissions: [String], when: [PolicyCondition]) {
        self.id = id
        self.effect = effect
        self.permissions = permissions
        self.when = when
    }

    /// Parses `rules[index]`.
    static func parse(_ json: JSONValue, index: Int) throws(PolicyError) -> PolicyRule {
        let at = "rules[\(index)]"
        guard let members = json.objectValue else { throw PolicyError(rule: at, field: "", message: "expected an object") }
        guard let id = members["id"]?.stringValue, PermissionSet.isValidRoleName(id) else {
            throw PolicyError(rule: at, field: "id", message: "expected an id of 1 to 64 of [A-Za-z0-9_.-]")
        }
        let rule = "\(id) (\(at))"
        for key in members.keys where !["id", "effect", "permissions", "when"].contains(key) {
            throw PolicyError(rule: rule, field: key, message: "unknown member (expected id, effect, permissions, when)")
        }
        guard let effectText = members["effect"]?.stringValue, let effect = Effect(rawValue: effectText) else {
            throw PolicyError(rule: rule, field: "effect", message: "expected \"permit\" or \"forbid\"")
        }
        guard let permissionsJSON = members["permissions"] else {
            throw PolicyError(rule: rule, field: "permissions", message: "missing")
        }
        let permissions = try Policy.patterns(permissionsJSON, field: "permissions", rule: rule)
        guard !permissions.isEmpty else { throw PolicyError(rule: rule, field: "permissions", message: "expected at least one permission") }
        var conditions: [PolicyCondition] = []
        if let when = members["when"] {
            guard let elements = when.arrayValue, elements.count <= 32 else {
                throw PolicyError(rule: rule, field: "when", message: "expected an array of at most 32 conditions")
            }
            for (position, element) in elements.enumerated() {
                conditions.append(try PolicyCondition.parse(element, rule: rule, field: "when[\(position)]"))
            }
        }
        return PolicyRule(id: id, effect: effect, permissions: permissions, when: conditions)
    }
}

/// One condition: an attribute, an operator, and either a literal `value` or another attribute (`ref`).
public struct PolicyCondition: Sendable, Equatable {
    /// The operators.
    public enum Operator: String, Sendable, CaseIterable {
        case eq, ne, lt, le, gt, ge, `in`, contains, prefix, cidr
    }

    /// What a condition compares with.
    public enum Operand: Sendable, Equatable {
        case value(AttributeValue)
        case ref(AttributePath)
    }

    public var attribute: AttributePath
    public var op: Operator
    public var operand: Operand
    /// The parsed network of a `cidr` condition with a literal value.
    public var network: CIDRBlock?

    /// Creates a condition.
    public init(attribute: AttributePath, op: Operator, operand: Operand) {
        self.attribute = attribute
        self.op = op
        self.operand = operand
        if op == .cidr, case .value(.string(let text)) = operand { network = CIDRBlock(text) } else { network = nil }
    }

    static func parse(_ json: JSONValue, rule: String, field: String) throws(PolicyError) -> PolicyCondition {
        guard let members = json.objectValue else { throw PolicyError(rule: rule, field: field, message: "expected an object") }
        for key in members.keys where !["attr", "op", "value", "ref"].contains(key) {
            throw PolicyError(rule: rule, field: "\(field).\(key)", message: "unknown member (expected attr, op, value or ref)")
        }
        guard let attrText = members["attr"]?.stringValue, let attribute = AttributePath(attrText) else {
            throw PolicyError(
                rule: rule, field: "\(field).attr", message: "expected user.<name>, resource.<name> or context.<name>")
        }
        guard let opText = members["op"]?.stringValue, let op = Operator(rawValue: opText) else {
            throw PolicyError(
                rule: rule, field: "\(field).op",
                message: "expected one of \(Operator.allCases.map(\.rawValue).joined(separator: " "))")
        }
        let operand: Operand
        switch (members["value"], members["ref"]) {
        case (let value?, nil):
            if op == .in {
                guard let elements = value.arrayValue, elements.count <= 256 else {
                    throw PolicyError(rule: rule, field: "\(field).value", message: "op in needs an array of at most 256 values")
                }
                var list: [AttributeValue] = []
                for element in elements {
                    guard let item = AttributeValue(scalar: element) else {
                        throw PolicyError(rule: rule, field: "\(field).value", message: "the array holds strings, numbers or booleans")
                    }
                    list.append(item)
                }
                operand = .value(.list(list))
            } else {
                guard let scalar = AttributeValue(scalar: value) else {
                    throw PolicyError(rule: rule, field: "\(field).value", message: "expected a string, number or boolean")
                }
                if op == .cidr {
                    guard case .string(let text) = scalar, CIDRBlock(text) != nil else {
                        throw PolicyError(rule: rule, field: "\(field).value", message: "op cidr needs a network such as 10.0.0.0/8")
                    }
                }
                let isNumber = if case .number = scalar { true } else { false }
                let isString = if case .string = scalar { true } else { false }
                if [.lt, .le, .gt, .ge].contains(op) && !isNumber {
                    throw PolicyError(rule: rule, field: "\(field).value", message: "op \(op.rawValue) needs a number")
                }
                if [.prefix, .contains].contains(op) && !isString {
                    throw PolicyError(rule: rule, field: "\(field).value", message: "op \(op.rawValue) needs a string")
                }
                operand = .value(scalar)
            }
        case (nil, let ref?):
            guard let text = ref.stringValue, let path = AttributePath(text) else {
                throw PolicyError(
                    rule: rule, field: "\(field).ref", message: "expected user.<name>, resource.<name> or context.<name>")
            }
            guard op != .in, op != .cidr else {
                throw PolicyError(rule: rule, field: "\(field).ref", message: "op \(op.rawValue) needs a literal value")
            }
            operand = .ref(path)
        default:
            throw PolicyError(rule: rule, field: field, message: "give exactly one of value and ref")
        }
        return PolicyCondition(attribute: attribute, op: op, operand: operand)
    }
}

/// Where a condition reads an attribute: `user.<name>` (the subject's attributes; `user.id` is the subject's id),
/// `resource.<name>` (the request's resource: `type`, `id`, `owner_id` and its other members) or `context.<name>`
/// (the request's context; the server fills `aal`, `auth_age_seconds`, `ip`, `time.hour_utc`, `time.weekday_utc`).
public enum AttributePath: Sendable, Hashable, CustomStringConvertible {
    case userID
    case user(String)
    case resource(String)
    case context(String)

    /// Parses `scope.name`.
    public init?(_ text: String) {
        guard text.utf8.count <= 128, let dot = text.firstIndex(of: ".") else { return nil }
        let name = String(text[text.index(after: dot)...])
        guard !name.isEmpty, name.utf8.allSatisfy(AttributeObject.isNameByte) else { return nil }
        switch text[..<dot] {
        case "user": self = name == "id" ? .userID : .user(name)
        case "resource": self = .resource(name)
        case "context": self = .context(name)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .userID: "user.id"
        case .user(let name): "user." + name
        case .resource(let name): "resource." + name
        case .context(let name): "context." + name
        }
    }
}
