import EventLog

/// Moves a session's idle deadline forward (`session.extended`) if it was last seen at least `updateAge` seconds
/// ago. Checked again inside the transaction, so concurrent requests extend it once.
public struct ExtendSession: Command {
    public var sessionID: String
    /// Seconds between extensions.
    public var updateAge: Int64
    public var request: RequestInfo

    public init(sessionID: String, updateAge: Int64, request: RequestInfo) {
        self.sessionID = sessionID
        self.updateAge = updateAge
        self.request = request
    }

    /// Whether an event was written.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        guard let session = try context.state.table(SessionsProjection(), "by_id").record(SessionRecord.self, Key.of(sessionID)),
            session.isActive(at: context.now), Self.isDue(session, at: context.now, updateAge: updateAge)
        else { return false }
        try context.emit(
            SessionExtended(sessionID: sessionID, userID: session.userID, lastSeenAt: context.now), actor: .user(session.userID),
            request: request)
        return true
    }

    /// Whether `session` is due for an extension at `now`.
    public static func isDue(_ session: SessionRecord, at now: Timestamp, updateAge: Int64) -> Bool {
        now >= session.lastSeenAt.adding(seconds: updateAge)
    }
}
