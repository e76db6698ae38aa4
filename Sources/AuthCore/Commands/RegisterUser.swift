import EventLog

/// Registers a user (`user.registered`), unless the normalised email is taken (``AuthError/emailTaken``): creates
/// the user's data key (``PersonalDataVault``, in the same transaction) and records the address only sealed under it
/// and as its keyed hash.
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
        let vault = try PersonalDataVault.required(in: context)
        let emailHash = vault.emailHash(email)
        guard try context.state.table(UsersProjection(), "by_email").get(emailHash) == nil else { throw AuthError.emailTaken }
        let key = try vault.createKey(userID: userID, in: context)
        let sealedEmail = try PersonalDataVault.seal(email, field: .email, userID: userID, key: key)
        try context.emit(
            UserRegistered(userID: userID, emailHash: emailHash, sealedEmail: sealedEmail, passwordHash: passwordHash),
            actor: .user(userID), request: request)
        return userID
    }
}
