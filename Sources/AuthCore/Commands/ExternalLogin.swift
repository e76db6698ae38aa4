import EventLog

/// What an external provider vouched for, after its ID token (or user API) was verified.
public struct ExternalIdentity: Sendable, Equatable {
    /// The configured provider's id.
    public var provider: String
    /// The issuer (exact).
    public var issuer: String
    /// The provider's subject.
    public var subject: String
    /// The normalised email, if the provider gave a usable one.
    public var email: String?
    /// Whether the provider says it verified `email`.
    public var emailVerified: Bool

    public init(provider: String, issuer: String, subject: String, email: String?, emailVerified: Bool) {
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
    }
}

/// The login through an external identity, decided against the state at commit time: find the user linked to
/// `(issuer, subject)`; else link to the local account with that email when both sides have verified it
/// (`email_match`), or create the user when no account has it and signup is allowed (`signup`); else refuse with
/// `login.failed` (method `oidc`). With ``requireVerifiedEmail``, a user whose address is not verified (an identity
/// linked to an unverified account, or a signup whose provider did not verify the address: the account stays) is
/// refused too (`email_not_verified`). Then, as after a password, an MFA challenge when the user has a second
/// factor, else the finish: a session (cookie mode) or a single-use login code (token mode).
public struct ExternalLogin: Command {
    /// How a successful login ends.
    public enum Finish: Sendable {
        /// A session now (its `userID` is set here).
        case session(CreateSession)
        /// A login code to exchange for a session (``RedeemLoginCode``); its payload is set here.
        case loginCode(IssueFlowState)
    }

    /// What the login came to.
    public enum Outcome: Sendable, Equatable {
        case session(CreateSession.Result)
        case loginCode(userID: String)
        case mfaRequired(userID: String)
        /// Refused (a `login.failed` was recorded) for `reason`.
        case refused(reason: String)
    }

    public var identity: ExternalIdentity
    public var allowSignup: Bool
    /// The user id and the random-password hash to use if this login creates the user.
    public var newUserID: String
    public var newUserPasswordHash: String
    /// The id a new link gets.
    public var identityID: String
    /// Keyed hash naming the attempt in `login.failed` when no user is known.
    public var subjectHash: String
    public var finish: Finish
    /// Opened instead of the finish when the user has a second factor (its `userID` is set here).
    public var mfaChallenge: RequireMFA
    public var request: RequestInfo
    /// Whether login needs a verified email (`--require-verified-email`).
    public var requireVerifiedEmail: Bool

    public init(
        identity: ExternalIdentity, allowSignup: Bool, newUserID: String, newUserPasswordHash: String, identityID: String,
        subjectHash: String, finish: Finish, mfaChallenge: RequireMFA, request: RequestInfo, requireVerifiedEmail: Bool = false
    ) {
        self.identity = identity
        self.allowSignup = allowSignup
        self.newUserID = newUserID
        self.newUserPasswordHash = newUserPasswordHash
        self.identityID = identityID
        self.subjectHash = subjectHash
        self.finish = finish
        self.mfaChallenge = mfaChallenge
        self.request = request
        self.requireVerifiedEmail = requireVerifiedEmail
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        let userID: String
        if let linked = try IdentitiesProjection.identity(issuer: identity.issuer, subject: identity.subject, in: context.state) {
            userID = linked.record.userID
        } else {
            guard let email = identity.email else { return try refuse("email_missing", userID: nil, &context) }
            if let existingID = try UserEmail.user(named: email, in: context) {
                guard identity.emailVerified, try ExternalLogin.localEmailIsVerified(userID: existingID, in: context.state) else {
                    return try refuse("email_unverified_conflict", userID: existingID, &context)
                }
                userID = existingID
                try link(userID: userID, via: "email_match", &context)
            } else {
                guard allowSignup else { return try refuse("signup_disabled", userID: nil, &context) }
                userID = newUserID
                // Registered as a password registration is (a data key, the address sealed and hashed), its address
                // verified when the provider says so.
                _ = try RegisterUser(userID: userID, email: email, passwordHash: newUserPasswordHash, request: request).run(&context)
                if identity.emailVerified, let record = try UserEmail.record(of: userID, in: context.state) {
                    try context.emit(EmailVerified(userID: userID, sealedEmail: record.sealedEmail), actor: .user(userID), request: request)
                }
                try link(userID: userID, via: "signup", &context)
            }
        }
        if requireVerifiedEmail, try !UserEmail.isVerified(userID, in: context.state) {
            return try refuse("email_not_verified", userID: userID, &context)
        }
        if try MFAState.record(of: userID, in: context)?.isEnabled == true {
            var challenge = mfaChallenge
            challenge.userID = userID
            try challenge.run(&context)
            return .mfaRequired(userID: userID)
        }
        switch finish {
        case .session(var session):
            session.userID = userID
            session.provider = identity.provider
            return .session(try session.run(&context))
        case .loginCode(var issue):
            issue.payload = LoginCodePayload(userID: userID, provider: identity.provider).bytes
            try issue.run(&context)
            return .loginCode(userID: userID)
        }
    }

    private func link(userID: String, via: String, _ context: inout CommandContext) throws {
        try context.emit(
            IdentityLinked(
                identityID: identityID, userID: userID, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                email: try identity.email.flatMap { try PersonalDataVault.sealedText($0, ofUser: userID, in: context) },
                emailVerified: identity.emailVerified, via: via),
            actor: .user(userID), request: request)
    }

    private func refuse(_ reason: String, userID: String?, _ context: inout CommandContext) throws -> Outcome {
        try RecordLoginFailure(
            userID: userID, subject: subjectHash, reason: reason, method: "oidc", provider: identity.provider, request: request
        ).run(&context)
        return .refused(reason: reason)
    }

    /// Whether the local account's email counts as verified for linking an external identity by email: the
    /// account's current address was verified (`email.verified`, or a verified external signup).
    public static func localEmailIsVerified(userID: String, in state: ProjectionState) throws -> Bool {
        try UserEmail.isVerified(userID, in: state)
    }

    /// The identities linked to `userID`, oldest first.
    public static func identities(ofUser userID: String, in state: ProjectionState) throws -> [FoundIdentity] {
        let ids = try IDList.ids(in: state.table(IdentitiesProjection(), "by_user"), Key.of(userID))
        return try ids.compactMap { try IdentitiesProjection.identity(id: $0, in: state) }
            .sorted { ($0.record.linkedAt, $0.id) < ($1.record.linkedAt, $1.id) }
    }
}

/// What a login code stands for (the payload of its flow-state entry): the user and the provider.
public struct LoginCodePayload: Sendable, Equatable {
    public var userID: String
    public var provider: String

    public init(userID: String, provider: String) {
        self.userID = userID
        self.provider = provider
    }

    /// `user_id || 0 || provider`.
    public var bytes: [UInt8] { Key.pair(userID, provider) }

    /// Reads ``bytes``.
    public init?(bytes: [UInt8]) {
        guard let zero = bytes.firstIndex(of: 0) else { return nil }
        userID = String(decoding: bytes[..<zero], as: UTF8.self)
        provider = String(decoding: bytes[(zero + 1)...], as: UTF8.self)
    }
}

/// Exchanges a login code (token mode of an external login) for a session: the code's flow-state entry is consumed
/// (single use whatever the outcome) and the session created in the same transaction.
public struct RedeemLoginCode: Command {
    public var consume: ConsumeFlowState
    /// The session to create (its `userID` and `provider` are set from the code).
    public var session: CreateSession

    public init(consume: ConsumeFlowState, session: CreateSession) {
        self.consume = consume
        self.session = session
    }

    /// The session, or `nil` for a code that is unknown, used or expired.
    public func run(_ context: inout CommandContext) throws -> CreateSession.Result? {
        guard case .consumed(let payload) = try consume.run(&context), let code = LoginCodePayload(bytes: payload) else { return nil }
        var session = session
        session.userID = code.userID
        session.provider = code.provider
        return try session.run(&context)
    }
}
