import EventLog

/// Records that attempts for a key were throttled (`login.throttled`). The caller emits it at most once per key
/// per window (``TokenBucketLimiter/shouldRecordThrottle(_:)`` in the HTTP layer), so a flood cannot flood the log.
public struct RecordThrottle: Command {
    /// `account` or `ip`.
    public var scope: String
    /// Keyed hash of the key.
    public var subject: String
    public var userID: String?
    public var retryAfter: Int64
    public var request: RequestInfo

    public init(scope: String, subject: String, userID: String?, retryAfter: Int64, request: RequestInfo) {
        self.scope = scope
        self.subject = subject
        self.userID = userID
        self.retryAfter = retryAfter
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        try context.emit(
            LoginThrottled(scope: scope, subject: subject, userID: userID, retryAfter: retryAfter),
            actor: userID.map(Actor.user) ?? .anonymous, request: request)
    }
}
