import EventLog

/// Records that the holder of a session proved it again (the caller verified the password or a passkey assertion
/// first): `session.reauthenticated`, which makes the session's authentication recent (``RecentAuthentication``).
/// A user-verifying passkey is a proof of `aal2` strength: the session also gets `session.stepped_up` (fresh `aal2`),
/// and, if it was `aal1`, a new token (`session.token_rotated`), as on every change of assurance level.
public struct ReauthenticateSession: Command {
    public var sessionID: String
    public var userID: String
    /// `password` or `passkey`.
    public var method: String
    /// The hash of the session's new token, if the proof raises the session to `aal2` (the caller hands the token
    /// out only if ``Result/tokenRotated`` says it was recorded).
    public var raisesToAAL2WithTokenHash: [UInt8]?
    public var request: RequestInfo

    /// What happened.
    public struct Result: Sendable, Equatable {
        /// The session's assurance level afterwards.
        public var aal: String
        /// Whether the session's token was replaced (by ``raisesToAAL2WithTokenHash``).
        public var tokenRotated: Bool
    }

    public init(sessionID: String, userID: String, method: String, raisesToAAL2WithTokenHash: [UInt8]? = nil, request: RequestInfo) {
        self.sessionID = sessionID
        self.userID = userID
        self.method = method
        self.raisesToAAL2WithTokenHash = raisesToAAL2WithTokenHash
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Result {
        guard let session = try context.state.table(SessionsProjection(), "by_id").record(SessionRecord.self, Key.of(sessionID)),
            session.userID == userID, session.isActive(at: context.now)
        else { throw AuthError.sessionNotFound }
        let actor = Actor.user(userID)
        try context.emit(SessionReauthenticated(sessionID: sessionID, userID: userID, method: method), actor: actor, request: request)
        guard let tokenHash = raisesToAAL2WithTokenHash else { return Result(aal: session.aal, tokenRotated: false) }
        // A second-factor-strength proof: aal2 (fresh from now).
        try context.emit(SessionSteppedUp(sessionID: sessionID, userID: userID, method: method), actor: actor, request: request)
        guard session.aal != "aal2" else { return Result(aal: "aal2", tokenRotated: false) }
        try context.emit(
            SessionTokenRotated(sessionID: sessionID, userID: userID, tokenHash: tokenHash, reason: "reauthentication"), actor: actor,
            request: request)
        return Result(aal: "aal2", tokenRotated: true)
    }
}
