import EventLog

/// Changes a user's password (`password.changed`) and ends every other session of the user (reason
/// `password_changed`). `expectedHash` is the hash the current password was verified against: if it changed in
/// the meantime, nothing is written (``AuthError/passwordChangedConcurrently``).
public struct ChangePassword: Command {
    public var userID: String
    public var expectedHash: String
    public var newHash: String
    /// The session that made the change; it stays.
    public var keepSessionID: String?
    public var request: RequestInfo

    public init(userID: String, expectedHash: String, newHash: String, keepSessionID: String?, request: RequestInfo) {
        self.userID = userID
        self.expectedHash = expectedHash
        self.newHash = newHash
        self.keepSessionID = keepSessionID
        self.request = request
    }

    /// The number of other sessions revoked.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Int {
        guard let user = try context.state.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of(userID)) else {
            throw AuthError.unknownUser
        }
        guard user.passwordHash == expectedHash else { throw AuthError.passwordChangedConcurrently }
        try context.emit(PasswordChanged(userID: userID, passwordHash: newHash), actor: .user(userID), request: request)
        return try RevokeSessions(userID: userID, keep: keepSessionID, reason: "password_changed", request: request).run(&context)
    }
}
