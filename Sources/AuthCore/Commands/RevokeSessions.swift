import EventLog

/// Ends every session of a user except `keep` (and their refresh families). The set is read inside the
/// transaction, so a session created concurrently is either revoked or created after this command.
public struct RevokeSessions: Command {
    public var userID: String
    public var keep: String?
    public var reason: String
    public var request: RequestInfo
    /// Who ends them: the user (the default) or an administrator.
    public var actor: Actor?

    public init(userID: String, keep: String?, reason: String, request: RequestInfo, actor: Actor? = nil) {
        self.userID = userID
        self.keep = keep
        self.reason = reason
        self.request = request
        self.actor = actor
    }

    /// The number of sessions revoked.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Int {
        var count = 0
        for (sessionID, session) in try SessionEnding.sessions(of: userID, in: context) where sessionID != keep {
            try SessionEnding.revoke(
                sessionID, session, reason: reason, familyReason: reason, actor: actor ?? .user(userID), request: request, in: &context)
            count += 1
        }
        return count
    }
}
