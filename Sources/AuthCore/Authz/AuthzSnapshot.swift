import EventLog

/// An immutable, compiled form of an ``AuthzState``: what every decision reads. Roles become ``PermissionSet``s, each
/// user's grants point at their role's set, and rules are indexed by the permissions they name, so that a role-only
/// check is a few hash lookups. A new state makes a new snapshot, swapped in whole (``AuthzEngine``): no decision
/// ever sees half of a policy.
///
/// Decision: any applicable **forbid** rule denies; else a role permission of an unexpired grant, or an applicable
/// **permit** rule, allows; else deny. A condition that reads an attribute the request lacks (or of the wrong type)
/// makes a permit rule not apply and a forbid rule apply (fail closed), unless another of the rule's conditions is
/// false, which settles that the rule does not apply.
public final class AuthzSnapshot: Sendable {
    /// A user's grant, compiled.
    struct CompiledGrant: Sendable {
        let role: String
        /// Microseconds; `Int64.max` when the grant does not expire.
        let expiresAt: Int64
        /// `nil` when no role of that name is in force.
        let permissions: PermissionSet?
    }

    /// The state compiled.
    public let state: AuthzState
    /// The log position the state was read at (0 for a state not read from the log).
    public let seq: UInt64
    let rolePermissions: [String: PermissionSet]
    let userGrants: [String: [CompiledGrant]]
    let rules: [PolicyRule]
    let exactRules: [String: [Int]]
    let prefixRules: [(prefix: String, rule: Int)]
    let universalRules: [Int]
    /// The `context.<name>` keys some rule reads (a caller can skip computing the others).
    public let contextKeysRead: Set<String>

    /// Compiles `state`, read at log position `seq`.
    public init(state: AuthzState, seq: UInt64 = 0) {
        self.state = state
        self.seq = seq
        let roles = state.roles.mapValues { PermissionSet($0) }
        rolePermissions = roles
        userGrants = state.grants.mapValues { grants in
            grants.map { CompiledGrant(role: $0.role, expiresAt: $0.record.expiresAt?.microseconds ?? .max, permissions: roles[$0.role]) }
        }
        rules = state.policy?.rules ?? []
        var exact: [String: [Int]] = [:]
        var prefixes: [(String, Int)] = []
        var universal: [Int] = []
        for (index, rule) in rules.enumerated() {
            for pattern in rule.permissions {
                if pattern == "*" {
                    universal.append(index)
                } else if pattern.hasSuffix(":*") {
                    prefixes.append((String(pattern.dropLast()), index))
                } else {
                    exact[pattern, default: []].append(index)
                }
            }
        }
        var keys: Set<String> = []
        for rule in rules {
            for condition in rule.when {
                if case .context(let name) = condition.attribute { keys.insert(name) }
                if case .ref(.context(let name)) = condition.operand { keys.insert(name) }
            }
        }
        contextKeysRead = keys
        exactRules = exact
        prefixRules = prefixes.map { (prefix: $0.0, rule: $0.1) }
        universalRules = universal
    }

    /// The decision for `request` at `now` (grants expire by the clock, without events).
    public func check(_ request: AuthzRequest, at now: Timestamp) -> AuthzDecision {
        let applicable = rules.isEmpty ? [] : applicableRules(request.permission)
        for index in applicable where rules[index].effect == .forbid {
            if evaluate(rules[index], request) != .no { return AuthzDecision(allowed: false, reason: "forbid:" + rules[index].id) }
        }
        if let grants = userGrants[request.subject] {
            let micros = now.microseconds
            for grant in grants where micros < grant.expiresAt {
                if grant.permissions?.covers(request.permission) == true { return AuthzDecision(allowed: true, reason: "role:" + grant.role) }
            }
        }
        for index in applicable where rules[index].effect == .permit {
            if evaluate(rules[index], request) == .yes { return AuthzDecision(allowed: true, reason: "permit:" + rules[index].id) }
        }
        return .noGrant
    }

    /// The roles `userID` holds at `now` (unexpired grants), with their grant records.
    public func grants(of userID: String, at now: Timestamp) -> [AuthzState.Grant] {
        (state.grants[userID] ?? []).filter { ($0.record.expiresAt ?? Timestamp(microseconds: .max)) > now }
    }

    /// Every permission pattern `userID`'s unexpired grants give at `now`: the bound of what they may grant.
    public func permissions(of userID: String, at now: Timestamp) -> PermissionSet {
        var set = PermissionSet([])
        for grant in grants(of: userID, at: now) {
            for pattern in state.roles[grant.role] ?? [] { set.insert(pattern) }
        }
        return set
    }

    /// The indexes of the rules naming `permission`, in document order.
    private func applicableRules(_ permission: String) -> [Int] {
        var out = exactRules[permission] ?? []
        out.append(contentsOf: universalRules)
        for entry in prefixRules where permission.hasPrefix(entry.prefix) { out.append(entry.rule) }
        if out.count > 1 { out.sort() }
        return out
    }

    enum Truth { case yes, no, unknown }

    /// Whether every condition holds, in three-valued logic: `no` if one condition is false (the rule cannot apply,
    /// whatever the missing attributes would be), else `unknown` if one reads a missing attribute, else `yes`.
    private func evaluate(_ rule: PolicyRule, _ request: AuthzRequest) -> Truth {
        var result = Truth.yes
        for condition in rule.when {
            switch holds(condition, request) {
            case .yes: continue
            case .no: return .no
            case .unknown: result = .unknown
            }
        }
        return result
    }

    private func value(_ path: AttributePath, _ request: AuthzRequest) -> AttributeValue? {
        switch path {
        case .userID: .string(request.subject)
        case .user(let name): state.attributes[request.subject]?[name]
        case .resource(let name): request.resource[name]
        case .context(let name): request.context[name]
        }
    }

    private func holds(_ condition: PolicyCondition, _ request: AuthzRequest) -> Truth {
        guard let left = value(condition.attribute, request) else { return .unknown }
        let right: AttributeValue
        switch condition.operand {
        case .value(let literal): right = literal
        case .ref(let path):
            guard let referenced = value(path, request) else { return .unknown }
            right = referenced
        }
        func truth(_ flag: Bool) -> Truth { flag ? .yes : .no }
        switch condition.op {
        case .eq: return truth(left == right)
        case .ne: return truth(left != right)
        case .lt, .le, .gt, .ge:
            guard case .number(let a) = left, case .number(let b) = right else { return .unknown }
            switch condition.op {
            case .lt: return truth(a < b)
            case .le: return truth(a <= b)
            case .gt: return truth(a > b)
            default: return truth(a >= b)
            }
        case .in:
            guard case .list(let values) = right else { return .unknown }
            return truth(values.contains(left))
        case .contains:
            switch (left, right) {
            case (.string(let text), .string(let part)): return truth(text.contains(part))
            case (.list(let values), _): return truth(values.contains(right))
            default: return .unknown
            }
        case .prefix:
            guard case .string(let text) = left, case .string(let start) = right else { return .unknown }
            return truth(text.hasPrefix(start))
        case .cidr:
            guard case .string(let ip) = left, let network = condition.network, let inside = network.contains(ip) else { return .unknown }
            return truth(inside)
        }
    }
}
