import EventLog

/// Registers a user (`user.registered`), unless the normalised email is taken (``AuthError/emailTaken``).
public struct RegisterUser: Command {
    public var userID: String
    /// The normalised email (see ``Email/normalize(_:)``).
    public var email: String
    /// The argon2id PHC string, computed before the command.
    public var passwordHash: String
    public var request: RequestInfo

    public init(userID: String, email: String, passwordHash: String, request: RequestInfo) {
        self.userID = userID
        self.email = email
        self.passwordHash = passwordHash
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> String {
        guard try context.state.table(UsersProjection(), "by_email").get(Key.of(email)) == nil else { throw AuthError.emailTaken }
        try context.emit(
            UserRegistered(userID: userID, email: email, passwordHash: passwordHash), actor: .user(userID), request: request)
        return userID
    }
}
