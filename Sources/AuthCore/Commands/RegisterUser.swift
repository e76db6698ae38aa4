import EventLog

/// Registers a user (`user.registered`), unless the normalised email is taken (``AuthError/emailTaken``), and, with
/// a `verification` link, mails it (`email.verification_sent`) in the same transaction.
public struct RegisterUser: Command {
    public var userID: String
    /// The normalised email (see ``Email/normalize(_:)``).
    public var email: String
    /// The argon2id PHC string, computed before the command.
    public var passwordHash: String
    /// The verification link to mail, if any.
    public var verification: NewAccountLink?
    public var request: RequestInfo

    public init(userID: String, email: String, passwordHash: String, verification: NewAccountLink? = nil, request: RequestInfo) {
        self.userID = userID
        self.email = email
        self.passwordHash = passwordHash
        self.verification = verification
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> String {
        guard try UserEmail.user(named: email, in: context.state) == nil else { throw AuthError.emailTaken }
        try context.emit(
            UserRegistered(userID: userID, email: email, passwordHash: passwordHash), actor: .user(userID), request: request)
        if let verification {
            try context.emit(
                EmailVerificationSent(
                    userID: userID, email: email, tokenHash: verification.tokenHash, sealedToken: verification.sealedToken,
                    expiresAt: verification.expiresAt),
                actor: .user(userID), request: request)
        }
        return userID
    }
}
