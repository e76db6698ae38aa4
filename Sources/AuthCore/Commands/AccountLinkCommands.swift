import EventLog

/// A new account link, prepared by the caller off the writer: the token's hash, the token sealed for the notifier
/// (``AccountLink/associatedData(purpose:userID:)``) and its expiry.
public struct NewAccountLink: Sendable, Equatable {
    public var tokenHash: [UInt8]
    public var sealedToken: [UInt8]
    public var expiresAt: Timestamp

    public init(tokenHash: [UInt8], sealedToken: [UInt8], expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.sealedToken = sealedToken
        self.expiresAt = expiresAt
    }
}

/// Reads of account links inside a command's transaction.
enum AccountLinks {
    /// The live link whose token hashes to `tokenHash`, if it is for `purpose`, unexpired at `now`, and its user exists.
    static func usable(_ tokenHash: [UInt8], for purpose: AccountLink.Purpose, in context: CommandContext) throws -> AccountLinkRecord? {
        guard let link = try context.state.table(AccountsProjection(), "links").record(AccountLinkRecord.self, tokenHash),
            link.purpose == purpose, link.isUsable(at: context.now),
            try UserEmail.record(of: link.userID, in: context.state) != nil
        else { return nil }
        return link
    }
}

/// Mails a verification link to the user's current address (`email.verification_sent`), unless it is verified
/// already or there is no such user; either way the commit is durable, so the answer's timing is the same.
public struct SendEmailVerification: Command {
    /// What happened (never shown to an anonymous caller).
    public enum Outcome: Sendable, Equatable {
        case sent
        /// No such user, or the address is verified already.
        case nothing
    }

    /// The user, or `nil` if the address named none.
    public var userID: String?
    public var link: NewAccountLink
    public var request: RequestInfo

    public init(userID: String?, link: NewAccountLink, request: RequestInfo) {
        self.userID = userID
        self.link = link
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let userID, let user = try UserEmail.record(of: userID, in: context.state),
            try !UserEmail.isVerified(userID, in: context.state)
        else {
            try context.requireDurableCommit()
            return .nothing
        }
        try context.emit(
            EmailVerificationSent(
                userID: userID, sealedEmail: user.sealedEmail, tokenHash: link.tokenHash, sealedToken: link.sealedToken, expiresAt: link.expiresAt),
            actor: .user(userID), request: request)
        return .sent
    }
}

/// Uses a verification link: `email.verified`. `nil` if the link is unknown, used, superseded or expired.
public struct VerifyEmail: Command {
    public var tokenHash: [UInt8]
    public var request: RequestInfo

    public init(tokenHash: [UInt8], request: RequestInfo) {
        self.tokenHash = tokenHash
        self.request = request
    }

    /// The verified user's id.
    public func run(_ context: inout CommandContext) throws -> String? {
        guard let link = try AccountLinks.usable(tokenHash, for: .verifyEmail, in: context),
            let user = try UserEmail.record(of: link.userID, in: context.state)
        else { return nil }
        try context.emit(EmailVerified(userID: link.userID, sealedEmail: user.sealedEmail), actor: .user(link.userID), request: request)
        return link.userID
    }
}

/// Mails a password-reset link (`password.reset_requested`, superseding the previous one) if the address named a
/// user; either way the commit is durable, so that neither the answer nor its timing tells whether it did.
public struct RequestPasswordReset: Command {
    /// The user the address named, or `nil`.
    public var userID: String?
    public var link: NewAccountLink
    public var request: RequestInfo

    public init(userID: String?, link: NewAccountLink, request: RequestInfo) {
        self.userID = userID
        self.link = link
        self.request = request
    }

    /// Whether a link was sent (never shown to the caller).
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        guard let userID, try UserEmail.record(of: userID, in: context.state) != nil else {
            try context.requireDurableCommit()
            return false
        }
        try context.emit(
            PasswordResetRequested(userID: userID, tokenHash: link.tokenHash, sealedToken: link.sealedToken, expiresAt: link.expiresAt),
            actor: .user(userID), request: request)
        return true
    }
}
