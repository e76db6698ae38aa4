@testable import AuthCore
import EventLog
import StrictJSON
import Testing

/// The decision engine on the seed's policy: its RBAC table and ABAC examples, forbid over permit, default deny,
/// wildcards, fail-closed conditions, every operator, and refused documents.
@Suite struct AuthzPolicyTests {
    static let seed = #"""
        {"roles": {"user": ["profile:read", "profile:update", "posts:read"],
                   "editor": ["profile:read", "profile:update", "posts:read", "posts:create", "posts:update"],
                   "admin": ["posts:*", "users:read", "users:update"],
                   "super_admin": ["*"]},
         "rules": [
           {"id": "same-department-read", "effect": "permit", "permissions": ["documents:read"],
            "when": [{"attr": "user.department", "op": "eq", "ref": "resource.department"}]},
           {"id": "clearance", "effect": "forbid", "permissions": ["documents:*"],
            "when": [{"attr": "user.clearance", "op": "lt", "ref": "resource.classification_level"}]},
           {"id": "confidential-needs-mfa", "effect": "forbid", "permissions": ["documents:*"],
            "when": [{"attr": "resource.classification", "op": "eq", "value": "confidential"},
                     {"attr": "context.aal", "op": "ne", "value": "aal2"}]}]}
        """#

    static let now = Timestamp(seconds: 1_767_225_600)

    /// A snapshot of the seed policy with users `u-<role>` holding each role, and two attributed users.
    static func snapshot(policy: String = seed, extraGrants: [String: [String]] = [:]) throws -> AuthzSnapshot {
        var state = AuthzState(policy: try Policy.parse(Array(policy.utf8)))
        for role in ["user", "editor", "admin", "super_admin"] {
            state.grants["usr_\(role)", default: []].append(grant(role))
        }
        for (user, roles) in extraGrants { state.grants[user, default: []] += roles.map { grant($0) } }
        state.attributes["usr_alice"] = ["department": .string("engineering"), "clearance": .number(3)]
        state.attributes["usr_bob"] = ["department": .string("sales"), "clearance": .number(1)]
        return AuthzSnapshot(state: state)
    }

    static func grant(_ role: String, expiresAt: Timestamp? = nil) -> AuthzState.Grant {
        AuthzState.Grant(role: role, record: GrantRecord(grantedAt: now, expiresAt: expiresAt, grantedBy: "authctl", reason: "test", seq: 1))
    }

    /// The seed's RBAC table: role × permission → allowed.
    @Test(arguments: [
        ("user", "profile:read", true), ("user", "profile:update", true), ("user", "posts:read", true),
        ("user", "posts:create", false), ("user", "posts:update", false), ("user", "posts:delete", false), ("user", "users:read", false),
        ("editor", "posts:create", true), ("editor", "posts:update", true), ("editor", "posts:delete", false), ("editor", "users:read", false),
        ("admin", "posts:delete", true), ("admin", "posts:publish", true), ("admin", "users:read", true), ("admin", "users:update", true),
        ("admin", "users:delete", false), ("admin", "profile:read", false),
        ("super_admin", "users:delete", true), ("super_admin", "anything:at_all", true), ("super_admin", "admin:users:write", true),
    ])
    func rbacTable(role: String, permission: String, allowed: Bool) throws {
        let decision = try Self.snapshot().check(AuthzRequest(subject: "usr_\(role)", permission: permission), at: Self.now)
        #expect(decision.allowed == allowed, "\(role) \(permission)")
        #expect(decision.reason == (allowed ? "role:\(role)" : "no grant"))
    }

    /// The seed's ABAC examples: (subject, resource, context) → decision and reason.
    @Test(arguments: [
        // Same department, clearance enough, not confidential: permitted by the rule.
        ("usr_alice", ["department": "engineering", "classification_level": 2, "classification": "internal"], "aal1", true,
         "permit:same-department-read"),
        // Other department: no rule permits, no role grants.
        ("usr_bob", ["department": "engineering", "classification_level": 1, "classification": "internal"], "aal1", false, "no grant"),
        // No classification and aal1: the confidential rule cannot be ruled out, so it applies (fail closed)...
        ("usr_alice", ["department": "engineering", "classification_level": 1], "aal1", false, "forbid:confidential-needs-mfa"),
        // ...but at aal2 its second condition is false whatever the classification: it does not apply.
        ("usr_alice", ["department": "engineering", "classification_level": 1], "aal2", true, "permit:same-department-read"),
        // Same department but clearance below the level: forbid wins over the permit.
        ("usr_bob", ["department": "sales", "classification_level": 2], "aal2", false, "forbid:clearance"),
        // Confidential without aal2: forbidden; with aal2 permitted.
        ("usr_alice", ["department": "engineering", "classification_level": 1, "classification": "confidential"], "aal1", false,
         "forbid:confidential-needs-mfa"),
        ("usr_alice", ["department": "engineering", "classification_level": 1, "classification": "confidential"], "aal2", true,
         "permit:same-department-read"),
        // The resource lacks classification_level: the forbid rule reads a missing attribute and applies (fail closed).
        ("usr_alice", ["department": "engineering"], "aal2", false, "forbid:clearance"),
        // A user without attributes: the permit reads a missing attribute and does not apply; the forbid applies.
        ("usr_nobody", ["department": "engineering", "classification_level": 0], "aal2", false, "forbid:clearance"),
    ] as [(String, [String: AttributeValueLiteral], String, Bool, String)])
    func abacExamples(subject: String, resource: [String: AttributeValueLiteral], aal: String, allowed: Bool, reason: String) throws {
        let request = AuthzRequest(
            subject: subject, permission: "documents:read", resource: resource.mapValues(\.value), context: ["aal": .string(aal)])
        let decision = try Self.snapshot().check(request, at: Self.now)
        #expect(decision == AuthzDecision(allowed: allowed, reason: reason))
    }

    /// A forbid rule beats a role permission (super_admin's `*` included).
    @Test func forbidBeatsRoles() throws {
        let snapshot = try Self.snapshot(extraGrants: ["usr_alice": ["super_admin"]])
        let low = AuthzRequest(
            subject: "usr_alice", permission: "documents:delete", resource: ["classification_level": .number(5)], context: ["aal": .string("aal2")])
        #expect(snapshot.check(low, at: Self.now) == AuthzDecision(allowed: false, reason: "forbid:clearance"))
        var fine = low
        fine.resource["classification_level"] = .number(3)
        #expect(snapshot.check(fine, at: Self.now) == AuthzDecision(allowed: true, reason: "role:super_admin"))
    }

    /// No role and no rule: deny; an unknown subject: deny; a grant of a role no longer defined: deny.
    @Test func defaultDeny() throws {
        let snapshot = try Self.snapshot(extraGrants: ["usr_ghost": ["undefined_role"]])
        #expect(snapshot.check(AuthzRequest(subject: "usr_user", permission: "billing:read"), at: Self.now) == .noGrant)
        #expect(snapshot.check(AuthzRequest(subject: "usr_unknown", permission: "posts:read"), at: Self.now) == .noGrant)
        #expect(snapshot.check(AuthzRequest(subject: "usr_ghost", permission: "posts:read"), at: Self.now) == .noGrant)
        #expect(AuthzSnapshot(state: AuthzState()).check(AuthzRequest(subject: "usr_user", permission: "x:y"), at: Self.now) == .noGrant)
    }

    /// `*`, `posts:*` and nested `admin:*`; a wildcard never matches a bare resource name or another prefix.
    @Test func wildcards() {
        let set = PermissionSet(["posts:*", "admin:*", "users:read"])
        #expect(set.covers("posts:read") && set.covers("posts:anything") && set.covers("admin:users:read"))
        #expect(!set.covers("posts") && !set.covers("postscript:read") && !set.covers("users:update") && !set.covers("admin"))
        #expect(PermissionSet(["*"]).covers("a:b:c"))
        // Granting bounds: a wildcard is covered only by an equal or wider one.
        #expect(set.coversPattern("posts:*") && set.coversPattern("admin:users:*") && set.coversPattern("users:read"))
        #expect(!set.coversPattern("*") && !set.coversPattern("users:*") && !set.coversPattern("users:update"))
        #expect(PermissionSet.isValidPattern("posts:*") && PermissionSet.isValidPattern("*") && PermissionSet.isValidPattern("admin:users:read"))
        #expect(!PermissionSet.isValidPattern("*:read") && !PermissionSet.isValidPattern("posts:") && !PermissionSet.isValidPattern("po sts:read"))
        #expect(!PermissionSet.isValidPermission("posts") && !PermissionSet.isValidPermission("posts:*"))
    }

    /// An expired grant grants nothing, with no event at expiry.
    @Test func expiry() throws {
        var state = AuthzState(policy: try Policy.parse(Array(Self.seed.utf8)))
        state.grants["usr_temp"] = [Self.grant("editor", expiresAt: Self.now.adding(seconds: 60))]
        let snapshot = AuthzSnapshot(state: state)
        let request = AuthzRequest(subject: "usr_temp", permission: "posts:update")
        #expect(snapshot.check(request, at: Self.now.adding(seconds: 59)).allowed)
        #expect(!snapshot.check(request, at: Self.now.adding(seconds: 60)).allowed)
        #expect(snapshot.grants(of: "usr_temp", at: Self.now.adding(seconds: 61)).isEmpty)
    }

    /// Every operator, on the permit side (holds → allowed) and with a value that fails (→ no grant).
    @Test(arguments: [
        (#"{"attr": "context.n", "op": "eq", "value": 3}"#, AttributeValue.number(3), AttributeValue.number(4)),
        (#"{"attr": "context.s", "op": "ne", "value": "x"}"#, .string("y"), .string("x")),
        (#"{"attr": "context.n", "op": "lt", "value": 3}"#, .number(2), .number(3)),
        (#"{"attr": "context.n", "op": "le", "value": 3}"#, .number(3), .number(4)),
        (#"{"attr": "context.n", "op": "gt", "value": 3}"#, .number(4), .number(3)),
        (#"{"attr": "context.n", "op": "ge", "value": 3}"#, .number(3), .number(2)),
        (#"{"attr": "context.s", "op": "in", "value": ["a", "b"]}"#, .string("b"), .string("c")),
        (#"{"attr": "context.s", "op": "contains", "value": "ell"}"#, .string("hello"), .string("help")),
        (#"{"attr": "context.s", "op": "prefix", "value": "10."}"#, .string("10.1"), .string("110.1")),
        (#"{"attr": "context.ip", "op": "cidr", "value": "10.0.0.0/8"}"#, .string("10.200.3.4"), .string("11.0.0.1")),
        (#"{"attr": "context.ip", "op": "cidr", "value": "2001:db8::/32"}"#, .string("2001:db8::1"), .string("2001:db9::1")),
        (#"{"attr": "context.ip", "op": "cidr", "value": "192.168.0.0/16"}"#, .string("::ffff:192.168.1.1"), .string("::1")),
        (#"{"attr": "context.time.hour_utc", "op": "ge", "value": 9}"#, .number(9), .number(8)),
    ] as [(String, AttributeValue, AttributeValue)])
    func operators(condition: String, passing: AttributeValue, failing: AttributeValue) throws {
        let policy = #"{"rules": [{"id": "r", "effect": "permit", "permissions": ["x:y"], "when": ["# + condition + "]}]}"
        let snapshot = AuthzSnapshot(state: AuthzState(policy: try Policy.parse(Array(policy.utf8))))
        let key = try #require(PolicyCondition.parse(try StrictJSONValue(condition), rule: "r", field: "when[0]").attributeKey)
        #expect(snapshot.check(AuthzRequest(subject: "usr_a", permission: "x:y", context: [key: passing]), at: Self.now).allowed)
        #expect(!snapshot.check(AuthzRequest(subject: "usr_a", permission: "x:y", context: [key: failing]), at: Self.now).allowed)
        #expect(!snapshot.check(AuthzRequest(subject: "usr_a", permission: "x:y"), at: Self.now).allowed, "missing: fail closed")
    }

    /// `resource.owner_id` equal to the subject (`ref: user.id`).
    @Test func ownerRule() throws {
        let policy = #"{"rules": [{"id": "own", "effect": "permit", "permissions": ["posts:update"], "when": [{"attr": "resource.owner_id", "op": "eq", "ref": "user.id"}]}]}"#
        let snapshot = AuthzSnapshot(state: AuthzState(policy: try Policy.parse(Array(policy.utf8))))
        #expect(snapshot.check(AuthzRequest(subject: "usr_a", permission: "posts:update", resource: ["owner_id": .string("usr_a")]), at: Self.now)
            == AuthzDecision(allowed: true, reason: "permit:own"))
        #expect(!snapshot.check(AuthzRequest(subject: "usr_a", permission: "posts:update", resource: ["owner_id": .string("usr_b")]), at: Self.now).allowed)
    }

    /// Malformed documents are refused with the rule and field named.
    @Test(arguments: [
        (#"{"rules": [{"id": "r1", "effect": "allow", "permissions": ["a:b"]}]}"#, "rule r1 (rules[0]), field 'effect'"),
        (#"{"rules": [{"id": "r1", "effect": "permit", "permissions": ["a:b"], "when": [{"attr": "user.x", "op": "lte", "value": 1}]}]}"#,
         "rule r1 (rules[0]), field 'when[0].op'"),
        (#"{"rules": [{"id": "r1", "effect": "permit", "permissions": ["a:b"]}, {"id": "r2", "effect": "forbid", "permissions": ["a:b"], "when": [{"attr": "context.ip", "op": "cidr", "value": "10.0.0.0/40"}]}]}"#,
         "rule r2 (rules[1]), field 'when[0].value'"),
        (#"{"rules": [{"id": "r1", "effect": "permit", "permissions": ["a:b"], "when": [{"attr": "owner", "op": "eq", "value": 1}]}]}"#,
         "rule r1 (rules[0]), field 'when[0].attr'"),
        (#"{"rules": [{"id": "r1", "effect": "permit", "permissions": ["a:b"], "when": [{"attr": "user.x", "op": "eq", "value": 1, "ref": "user.y"}]}]}"#,
         "rule r1 (rules[0]), field 'when[0]'"),
        (#"{"rules": [{"id": "r1", "effect": "permit", "permissions": ["*:b"]}]}"#, "rule r1 (rules[0]), field 'permissions[0]'"),
        (#"{"rules": [{"effect": "permit", "permissions": ["a:b"]}]}"#, "rule rules[0], field 'id'"),
        (#"{"roles": {"editor": "posts:read"}}"#, "field 'roles.editor'"),
        (#"{"roles": {}, "extra": 1}"#, "field 'extra'"),
        (#"{"roles": {"a": ["x:y"]}, "roles": {}}"#, "not valid JSON"),
    ])
    func malformedPoliciesAreRefused(document: String, expected: String) {
        #expect(throws: PolicyError.self) { try Policy.parse(Array(document.utf8)) }
        do {
            _ = try Policy.parse(Array(document.utf8))
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    /// The seed document parses into its four roles and three rules, in order.
    @Test func seedPolicyParses() throws {
        let policy = try Policy.parse(Array(Self.seed.utf8))
        #expect(policy.roles.count == 4 && policy.rules.map(\.id) == ["same-department-read", "clearance", "confidential-needs-mfa"])
    }
}

/// A literal for table arguments (strings and integers) as an ``AttributeValue``.
enum AttributeValueLiteral: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, Sendable {
    case text(String)
    case integer(Int)
    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int) { self = .integer(value) }
    var value: AttributeValue {
        switch self {
        case .text(let text): .string(text)
        case .integer(let number): .number(Double(number))
        }
    }
}

/// Parses a JSON text for the condition tests.
func StrictJSONValue(_ text: String) throws -> StrictJSON.JSONValue { try StrictJSONParser.parse(Array(text.utf8)) }

extension PolicyCondition {
    /// The context key a condition on `context.<key>` reads.
    var attributeKey: String? {
        if case .context(let key) = attribute { return key }
        return nil
    }
}
