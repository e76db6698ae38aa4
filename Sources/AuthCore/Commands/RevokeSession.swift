import EventLog

/// Ends one session and its refresh family (`refresh.family_revoked`, `session.revoked`). With `ownerID`, only a
/// session of that user is touched; anything else is ``AuthError/sessionNotFound``.
public struct RevokeSession: Command {
    public var sessionID: String
    public var ownerID: String?
    /// `logout`, `user_revoked`, `admin`, ...
    public var reason: String
    public var actor: Actor
    public var request: RequestInfo

    public init(sessionID: String, ownerID: String?, reason: String, actor: Actor, request: RequestInfo) {
        self.sessionID = sessionID
        self.ownerID = ownerID
        self.reason = reason
        self.actor = actor
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard let session = try context.state.table(SessionsProjection(), "by_id").record(SessionRecord.self, Key.of(sessionID)),
            ownerID == nil || session.userID == ownerID
        else { throw AuthError.sessionNotFound }
        try SessionEnding.revoke(sessionID, session, reason: reason, familyReason: reason, actor: actor, request: request, in: &context)
    }
}
