import EventLog

/// Records a failed login (`login.failed`). `subject` is the keyed hash of the normalised email, so failures for
/// unknown addresses cannot be turned back into addresses.
public struct RecordLoginFailure: Command {
    public var userID: String?
    public var subject: String
    /// `bad_password` or `unknown_user`.
    public var reason: String
    public var method: String
    /// The external provider's id, for method `oidc`.
    public var provider: String?
    public var request: RequestInfo

    public init(
        userID: String?, subject: String, reason: String, method: String = "password", provider: String? = nil, request: RequestInfo
    ) {
        self.userID = userID
        self.subject = subject
        self.reason = reason
        self.method = method
        self.provider = provider
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        let actor = userID.map(Actor.user) ?? .anonymous
        try context.emit(LoginFailed(userID: userID, subject: subject, reason: reason, method: method, provider: provider), actor: actor, request: request)
    }
}
