import EventLog

/// The success path of a login: `login.succeeded`, `session.created`, and in token mode `refresh.family_started`.
/// A new session (new id, new token) on every login, so a planted session id is never upgraded (fixation).
public struct CreateSession: Command {
    /// The first refresh token of a token-mode login.
    public struct Refresh: Sendable {
        public var familyID: String
        public var tokenHash: [UInt8]
        /// Lifetime of the family, seconds (capped by the session's absolute expiry).
        public var lifetime: Int64

        public init(familyID: String, tokenHash: [UInt8], lifetime: Int64) {
            self.familyID = familyID
            self.tokenHash = tokenHash
            self.lifetime = lifetime
        }
    }

    /// What the login produced.
    public struct Result: Sendable, Equatable {
        public var sessionID: String
        public var userID: String
        public var aal: String
        public var createdAt: Timestamp
        public var expiresAt: Timestamp
        public var familyExpiresAt: Timestamp?
    }

    public var userID: String
    public var sessionID: String
    public var tokenHash: [UInt8]
    /// `password`, `passkey`, ...
    public var method: String
    public var aal: String
    /// `cookie` or `token`.
    public var mode: String
    /// Absolute lifetime, seconds.
    public var lifetime: Int64
    /// Idle timeout, seconds.
    public var idleTimeout: Int64
    public var refresh: Refresh?
    public var request: RequestInfo
    /// The external provider's id, for method `oidc` (recorded in `login.succeeded`).
    public var provider: String?

    public init(
        userID: String, sessionID: String, tokenHash: [UInt8], method: String, aal: String, mode: String, lifetime: Int64,
        idleTimeout: Int64, refresh: Refresh?, request: RequestInfo
    ) {
        self.userID = userID
        self.sessionID = sessionID
        self.tokenHash = tokenHash
        self.method = method
        self.aal = aal
        self.mode = mode
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
        self.refresh = refresh
        self.request = request
        self.provider = nil
    }

    public func run(_ context: inout CommandContext) throws -> Result {
        guard try context.state.table(UsersProjection(), "by_id").get(Key.of(userID)) != nil else { throw AuthError.unknownUser }
        try UserLock.refuseIfLocked(userID, in: context)
        let actor = Actor.user(userID)
        let expiresAt = context.now.adding(seconds: lifetime)
        try context.emit(LoginSucceeded(userID: userID, sessionID: sessionID, method: method, aal: aal, provider: provider), actor: actor, request: request)
        try context.emit(
            SessionCreated(
                sessionID: sessionID, userID: userID, tokenHash: tokenHash, aal: aal, mode: mode, expiresAt: expiresAt,
                idleTimeout: idleTimeout),
            actor: actor, request: request)
        var familyExpiresAt: Timestamp?
        if let refresh {
            let familyExpiry = min(expiresAt, context.now.adding(seconds: refresh.lifetime))
            try context.emit(
                RefreshFamilyStarted(
                    familyID: refresh.familyID, sessionID: sessionID, userID: userID, tokenHash: refresh.tokenHash,
                    expiresAt: familyExpiry),
                actor: actor, request: request)
            familyExpiresAt = familyExpiry
        }
        // Proof of a second factor during a recovery's waiting period means the factor is not lost.
        if aal == "aal2" { try MFAState.cancelRecovery(of: userID, reason: "aal2_login", request: request, in: &context) }
        return Result(
            sessionID: sessionID, userID: userID, aal: aal, createdAt: context.now, expiresAt: expiresAt, familyExpiresAt: familyExpiresAt)
    }
}
