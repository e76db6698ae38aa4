import EventLog

/// Exchanges a refresh token for its successor, deciding inside the write transaction between:
///
/// - **plain rotation**: the token is unused and is the family's live leaf: `refresh.rotated` (`grace: false`); the
///   token becomes used and its child the live leaf.
/// - **grace re-exchange**: the token was used less than `graceSeconds` ago (two tabs refreshing at once) **and** the
///   child it was exchanged for is still the unused live leaf: `refresh.rotated` (`grace: true`) with the **same**
///   child, which the caller hands out again. The child is derived from the token (``OpaqueToken/successor(of:key:)``),
///   so the caller always passes the child this token gets; the window stays anchored at the first use.
/// - **reuse**: any other presentation of a token of the family: used outside the window, used after its child was
///   itself used, or an unused token that is not the live leaf (a fork left by older versions):
///   `refresh.reuse_detected` (with the presenter's request), `refresh.family_revoked` and `session.revoked`; the
///   caller answers 401.
/// - **invalid**: unknown token, revoked or expired family, ended session: nothing is written.
///
/// So a family has exactly one live leaf at any time, and two holders of one token cannot grow two chains: the
/// second to present a token gets the first one's child within the window, and is detected as reuse after it.
/// Because commands run one at a time in the transaction, two presentations of one unused token yield exactly one
/// plain rotation; the other sees it used.
public struct RotateRefreshToken: Command {
    /// The outcome.
    public enum Result: Sendable, Equatable {
        case rotated(Rotation)
        case reuseDetected
        case invalid
    }

    /// A successful exchange.
    public struct Rotation: Sendable, Equatable {
        public var familyID: String
        public var sessionID: String
        public var userID: String
        public var aal: String
        public var grace: Bool
        /// The family's absolute expiry.
        public var expiresAt: Timestamp
    }

    public var presentedHash: [UInt8]
    /// The hash of the presented token's successor (the same for every presentation of that token).
    public var childHash: [UInt8]
    /// Grace window, seconds; 0 disables it.
    public var graceSeconds: Int64
    /// A rotation also extends the session if it was last seen this many seconds ago.
    public var updateAge: Int64
    public var request: RequestInfo

    public init(presentedHash: [UInt8], childHash: [UInt8], graceSeconds: Int64, updateAge: Int64, request: RequestInfo) {
        self.presentedHash = presentedHash
        self.childHash = childHash
        self.graceSeconds = graceSeconds
        self.updateAge = updateAge
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Result {
        let refresh = RefreshProjection()
        guard let token = try context.state.table(refresh, "tokens").record(RefreshTokenRecord.self, presentedHash),
            let family = try context.state.table(refresh, "families").record(FamilyRecord.self, Key.of(token.familyID)),
            family.revokedReason == nil, context.now < family.expiresAt
        else { return .invalid }
        guard let session = try context.state.table(SessionsProjection(), "by_id").record(SessionRecord.self, Key.of(family.sessionID)),
            session.isActive(at: context.now)
        else { return .invalid }
        let actor = Actor.user(family.userID)

        let grace: Bool
        if let usedAt = token.usedAt {
            // Re-exchange only inside the window of the first use, and only while the child is the live leaf (the
            // leaf is never used: using it makes its own child the leaf).
            guard graceSeconds > 0, context.now < usedAt.adding(seconds: graceSeconds), family.currentHash == childHash else {
                return try reuse(token: token, family: family, session: session, actor: actor, in: &context)
            }
            grace = true
        } else {
            guard family.currentHash == presentedHash else {
                // Unused but not the leaf: a second chain forked before re-exchanges were idempotent. Ends it.
                return try reuse(token: token, family: family, session: session, actor: actor, in: &context)
            }
            grace = false
        }
        try context.emit(
            RefreshRotated(
                familyID: token.familyID, sessionID: family.sessionID, userID: family.userID, parentHash: presentedHash,
                childHash: childHash, grace: grace),
            actor: actor, request: request)
        if ExtendSession.isDue(session, at: context.now, updateAge: updateAge) {
            try context.emit(
                SessionExtended(sessionID: family.sessionID, userID: family.userID, lastSeenAt: context.now), actor: actor, request: request)
        }
        return .rotated(
            Rotation(
                familyID: token.familyID, sessionID: family.sessionID, userID: family.userID, aal: session.aal, grace: grace,
                expiresAt: family.expiresAt))
    }

    /// Records reuse of the presented token and revokes its family and session.
    private func reuse(
        token: RefreshTokenRecord, family: FamilyRecord, session: SessionRecord, actor: Actor, in context: inout CommandContext
    ) throws -> Result {
        try context.emit(
            RefreshReuseDetected(
                familyID: token.familyID, sessionID: family.sessionID, userID: family.userID, tokenHash: presentedHash,
                usedAtSeq: token.usedSeq ?? 0),
            actor: actor, request: request)
        try SessionEnding.revoke(
            family.sessionID, session, reason: "refresh_reuse", familyReason: "reuse_detected", actor: actor, request: request,
            in: &context)
        return .reuseDetected
    }
}
