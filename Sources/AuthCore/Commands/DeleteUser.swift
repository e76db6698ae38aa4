import EventLog

/// Deletes an account: every session and refresh family revoked (reason `user_deleted`), every passkey deleted,
/// then `user.deleted`, whose projections remove the user's rows (the address can register again).
/// ``AuthError/unknownUser`` if there is no such user.
public struct DeleteUser: Command {
    public var userID: String
    /// `user` when the holder deletes the account, else the operator's reason.
    public var reason: String
    /// The holder (``Actor/user(_:)``) or an operator (`admin`).
    public var actor: Actor
    public var request: RequestInfo

    public init(userID: String, reason: String, actor: Actor, request: RequestInfo) {
        self.userID = userID
        self.reason = reason
        self.actor = actor
        self.request = request
    }

    /// The number of sessions revoked.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Int {
        guard try UserEmail.record(of: userID, in: context.state) != nil else { throw AuthError.unknownUser }
        var revoked = 0
        for (sessionID, session) in try SessionEnding.sessions(of: userID, in: context) {
            try SessionEnding.revoke(
                sessionID, session, reason: "user_deleted", familyReason: "user_deleted", actor: actor, request: request, in: &context)
            revoked += 1
        }
        var prefix = Array(userID.utf8)
        prefix.append(0)
        for entry in try context.state.table(PasskeysProjection(), "by_user").entries(prefix: prefix) {
            let credentialID = String(decoding: entry.value, as: UTF8.self)
            try context.emit(PasskeyDeleted(userID: userID, credentialID: credentialID), actor: actor, request: request)
        }
        try context.emit(UserDeleted(userID: userID, reason: reason), actor: actor, request: request)
        // Crypto-shredding: the user's key goes with the account, so every address, IP and user agent sealed under it
        // (this event's too) is unreadable from now on, while the events and the chain stay.
        try PersonalDataVault.required(in: context).destroyKey(userID: userID, in: context)
        return revoked
    }
}
