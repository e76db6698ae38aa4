import EventLog

/// Registers a user (`user.registered`), unless the normalised email is taken (``AuthError/emailTaken``): creates
/// the user's data key (``PersonalDataVault``, in the same transaction) and records the address only sealed under it
/// and as its keyed hash; with a `verification` link, mails it (`email.verification_sent`) in the same transaction.
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
        let vault = try PersonalDataVault.required(in: context)
        let emailHash = vault.emailHash(email)
        guard try UserEmail.user(hash: emailHash, in: context.state) == nil else { throw AuthError.emailTaken }
        let key = try vault.createKey(userID: userID, in: context)
        let sealedEmail = try PersonalDataVault.seal(email, field: .email, userID: userID, key: key)
        try context.emit(
            UserRegistered(userID: userID, emailHash: emailHash, sealedEmail: sealedEmail, passwordHash: passwordHash),
            actor: .user(userID), request: request)
        if let verification {
            try context.emit(
                EmailVerificationSent(
                    userID: userID, sealedEmail: sealedEmail, tokenHash: verification.tokenHash, sealedToken: verification.sealedToken,
                    expiresAt: verification.expiresAt),
                actor: .user(userID), request: request)
        }
        return userID
    }
}
