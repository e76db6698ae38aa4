import EventLog

/// Starts an email change (`email.change_requested`: a link to the new address, superseding an earlier one) unless
/// the new address already names an account or is the current one; then nothing is written, durably, so the answer
/// (always the same) and its timing do not tell which.
public struct RequestEmailChange: Command {
    public var userID: String
    /// The new address (normalised).
    public var newEmail: String
    public var link: NewAccountLink
    public var request: RequestInfo

    public init(userID: String, newEmail: String, link: NewAccountLink, request: RequestInfo) {
        self.userID = userID
        self.newEmail = newEmail
        self.link = link
        self.request = request
    }

    /// Whether the link was sent (never shown to the caller).
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        let vault = try PersonalDataVault.required(in: context)
        guard try UserEmail.record(of: userID, in: context.state) != nil, case .key(let key) = try vault.keyState(userID: userID, in: context)
        else { throw AuthError.unknownUser }
        let emailHash = vault.emailHash(newEmail)
        guard try UserEmail.user(hash: emailHash, in: context.state) == nil else {
            try context.requireDurableCommit()
            return false
        }
        try context.emit(
            EmailChangeRequested(
                userID: userID, emailHash: emailHash, sealedEmail: try PersonalDataVault.seal(newEmail, field: .email, userID: userID, key: key),
                tokenHash: link.tokenHash, sealedToken: link.sealedToken, expiresAt: link.expiresAt),
            actor: .user(userID), request: request)
        return true
    }
}

/// Confirms an email change by its link (`email.changed`): the account's address becomes the new one, verified.
public struct ConfirmEmailChange: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        /// Unknown, used, superseded or expired link.
        case invalid
        /// The new address registered an account since the link was sent (the link is left as it is).
        case taken
        /// Done.
        case changed(userID: String)
    }

    public var tokenHash: [UInt8]
    public var request: RequestInfo

    public init(tokenHash: [UInt8], request: RequestInfo) {
        self.tokenHash = tokenHash
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let link = try AccountLinks.usable(tokenHash, for: .changeEmail, in: context), let emailHash = link.emailHash,
            let sealedEmail = link.sealedEmail
        else { return .invalid }
        guard try UserEmail.user(hash: emailHash, in: context.state) == nil else { return .taken }
        try context.emit(
            EmailChanged(userID: link.userID, emailHash: emailHash, sealedEmail: sealedEmail), actor: .user(link.userID), request: request)
        return .changed(userID: link.userID)
    }
}
