/// One authorization question: may `subject` do `permission` on `resource` in `context`?
public struct AuthzRequest: Sendable, Equatable {
    /// The subject's user id.
    public var subject: String
    /// A concrete permission (`resource:action`).
    public var permission: String
    /// The resource's attributes (`type`, `id`, `owner_id` and any others).
    public var resource: [String: AttributeValue]
    /// The request's context (`aal`, `auth_age_seconds`, `ip`, `time.hour_utc`, `time.weekday_utc`, and any the
    /// caller adds).
    public var context: [String: AttributeValue]

    /// Creates a request.
    public init(subject: String, permission: String, resource: [String: AttributeValue] = [:], context: [String: AttributeValue] = [:]) {
        self.subject = subject
        self.permission = permission
        self.resource = resource
        self.context = context
    }

    /// The context keys the server fills from the session, the request and the clock; a client's values for them
    /// are replaced.
    public static let serverContextKeys: Set<String> = ["aal", "auth_age_seconds", "ip", "time.hour_utc", "time.weekday_utc"]
}

/// The answer: allowed or not, and why (`role:<name>`, `permit:<rule>`, `forbid:<rule>` or `no grant`).
public struct AuthzDecision: Sendable, Equatable {
    public var allowed: Bool
    public var reason: String

    /// Creates a decision.
    public init(allowed: Bool, reason: String) {
        self.allowed = allowed
        self.reason = reason
    }

    /// Default deny.
    public static let noGrant = AuthzDecision(allowed: false, reason: "no grant")
}
