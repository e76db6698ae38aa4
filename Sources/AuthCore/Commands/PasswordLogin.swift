import EventLog

/// The success path of a password login (the caller verified the password, off the writer): the stored hash is
/// upgraded first if the caller rehashed it (``RehashPassword``, `password.rehashed`); then, decided against the MFA
/// state at commit time, either an MFA challenge (``RequireMFA``, `login.mfa_required`, no session) when the user has
/// a second factor, or the session (``CreateSession``: `login.succeeded`, `session.created`, in token mode
/// `refresh.family_started`).
///
/// With ``requireVerifiedEmail``, an account whose address is not verified is refused (``AuthError/emailNotVerified``,
/// nothing recorded) after the lock check, against the state at commit time.
///
/// A failed password is ``RecordLoginFailure``, not this command.
public struct PasswordLogin: Command {
    /// What the login came to.
    public enum Outcome: Sendable, Equatable {
        /// One factor was enough: the session was created.
        case session(CreateSession.Result)
        /// The user has a second factor: ``PasswordLogin/mfaChallenge`` was opened instead of a session.
        case mfaRequired
    }

    /// The session to create (method `password`, `aal1`).
    public var session: CreateSession
    /// The stored hash's upgrade (for the session's user), if the caller found its parameters weaker than the configured ones.
    public var rehash: RehashPassword?
    /// Opened instead of the session when the user has a second factor (its `userID` is the session's).
    public var mfaChallenge: RequireMFA
    /// Whether login needs a verified email (`--require-verified-email`).
    public var requireVerifiedEmail: Bool

    public init(session: CreateSession, rehash: RehashPassword?, mfaChallenge: RequireMFA, requireVerifiedEmail: Bool = false) {
        self.session = session
        self.rehash = rehash
        self.mfaChallenge = mfaChallenge
        self.requireVerifiedEmail = requireVerifiedEmail
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        try UserLock.refuseIfLocked(session.userID, in: context)
        try VerifiedEmailRule.check(session.userID, required: requireVerifiedEmail, in: context)
        if let rehash { try rehash.run(&context) }
        if try MFAState.record(of: session.userID, in: context)?.isEnabled == true {
            try mfaChallenge.run(&context)
            return .mfaRequired
        }
        return .session(try session.run(&context))
    }
}
