import EventLog

/// The authorization state the projections hold: the policy in force, the roles defined by event, every user's
/// grants and attributes. ``AuthzSnapshot`` compiles it for decisions; point-in-time answers fold it from the log.
public struct AuthzState: Sendable, Equatable {
    /// One grant of a role to a user.
    public struct Grant: Sendable, Equatable {
        public var role: String
        public var record: GrantRecord

        public init(role: String, record: GrantRecord) {
            self.role = role
            self.record = record
        }
    }

    /// The policy document in force (the last `policy.loaded`), if any.
    public var policy: Policy?
    /// Its `policy.loaded` record.
    public var policyRecord: PolicyRecord?
    /// Roles defined through the admin API (they take precedence over the policy's roles of the same name).
    public var definedRoles: [String: [String]]
    /// Grants by user id, in role-name order.
    public var grants: [String: [Grant]]
    /// ABAC attributes by user id.
    public var attributes: [String: [String: AttributeValue]]

    /// Creates a state.
    public init(
        policy: Policy? = nil, policyRecord: PolicyRecord? = nil, definedRoles: [String: [String]] = [:], grants: [String: [Grant]] = [:],
        attributes: [String: [String: AttributeValue]] = [:]
    ) {
        self.policy = policy
        self.policyRecord = policyRecord
        self.definedRoles = definedRoles
        self.grants = grants
        self.attributes = attributes
    }

    /// Every role in force and its permissions: the policy's, overridden by those defined by event.
    public var roles: [String: [String]] {
        var roles = policy?.roles ?? [:]
        for (name, permissions) in definedRoles { roles[name] = permissions }
        return roles
    }

    /// Reads the state from the ``AuthzProjection``'s tables (live, or scratch tables folded to a past instant).
    public static func read(_ table: (String) -> ProjectionTable) throws -> AuthzState {
        var state = AuthzState()
        if let bytes = try table("policy").get(AuthzProjection.policyKey) {
            let record = try PolicyRecord(bytes: bytes)
            state.policyRecord = record
            state.policy = try? Policy.parse(Array(record.policy.utf8))
        }
        for entry in try table("roles").entries(prefix: []) {
            state.definedRoles[String(decoding: entry.key, as: UTF8.self)] = try RoleRecord(bytes: entry.value).permissions
        }
        for entry in try table("grants").entries(prefix: []) {
            guard let zero = entry.key.firstIndex(of: 0) else { continue }
            let user = String(decoding: entry.key[..<zero], as: UTF8.self)
            let role = String(decoding: entry.key[(zero + 1)...], as: UTF8.self)
            state.grants[user, default: []].append(Grant(role: role, record: try GrantRecord(bytes: entry.value)))
        }
        for entry in try table("attributes").entries(prefix: []) {
            state.attributes[String(decoding: entry.key, as: UTF8.self)] = AttributeObject.fromText(String(decoding: entry.value, as: UTF8.self))
        }
        return state
    }
}
