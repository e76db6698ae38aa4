import EventLog

/// The lock check every login path makes inside the transaction.
enum UserLock {
    /// Throws ``AuthError/accountLocked`` if `userID` is locked.
    static func refuseIfLocked(_ userID: String, in context: CommandContext) throws {
        if try context.state.table(UserLocksProjection(), "by_user").get(Key.of(userID)) != nil { throw AuthError.accountLocked }
    }
}

/// Locks a user (`user.locked`) and ends every session of theirs with its refresh family (`refresh.family_revoked`,
/// `session.revoked`, reason `user_locked`). Every later login is refused (``AuthError/accountLocked``). Locking a
/// locked user changes nothing.
public struct LockUser: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        /// Locked now; that many sessions were revoked.
        case locked(sessionsRevoked: Int)
        /// The user was already locked.
        case alreadyLocked
    }

    public var userID: String
    /// The administrator's user id (or `authctl`).
    public var actorID: String
    public var reason: String?
    public var request: RequestInfo

    public init(userID: String, actorID: String, reason: String?, request: RequestInfo) {
        self.userID = userID
        self.actorID = actorID
        self.reason = reason
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        try AuthzCommandSupport.requireUser(userID, in: context)
        guard try context.state.table(UserLocksProjection(), "by_user").get(Key.of(userID)) == nil else { return .alreadyLocked }
        let actor = AuthzCommandSupport.actor(actorID)
        try context.emit(UserLocked(userID: userID, lockedBy: actorID, reason: reason), actor: actor, request: request)
        var count = 0
        for (sessionID, session) in try SessionEnding.sessions(of: userID, in: context) {
            try SessionEnding.revoke(
                sessionID, session, reason: "user_locked", familyReason: "user_locked", actor: actor, request: request, in: &context)
            count += 1
        }
        return .locked(sessionsRevoked: count)
    }
}

/// Unlocks a user (`user.unlocked`); unlocking a user who is not locked changes nothing (returns `false`).
public struct UnlockUser: Command {
    public var userID: String
    /// The administrator's user id.
    public var actorID: String
    public var reason: String?
    public var request: RequestInfo

    public init(userID: String, actorID: String, reason: String?, request: RequestInfo) {
        self.userID = userID
        self.actorID = actorID
        self.reason = reason
        self.request = request
    }

    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        try AuthzCommandSupport.requireUser(userID, in: context)
        guard try context.state.table(UserLocksProjection(), "by_user").get(Key.of(userID)) != nil else { return false }
        try context.emit(UserUnlocked(userID: userID, unlockedBy: actorID, reason: reason), actor: AuthzCommandSupport.actor(actorID), request: request)
        return true
    }
}
