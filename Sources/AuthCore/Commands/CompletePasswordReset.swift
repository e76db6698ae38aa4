import EventLog

/// Completes a password reset by its link, decided inside the transaction: the link must be live; a password the
/// policy refused (`newPasswordHash == nil`), a missing, wrong or locked second factor (for a user who has one: a
/// mailbox alone must not defeat MFA) are refusals (`password.reset_refused`) that leave the link usable until
/// ``PasswordResetRefused/maxRefusals``. Otherwise the factor's use, `password.reset_completed` and the revocation of
/// every session and refresh family of the user (reason `password_reset`).
public struct CompletePasswordReset: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        /// Unknown, used, superseded, used-up or expired link.
        case invalid
        /// The new password broke the policy (recorded as a refusal).
        case passwordRefused
        /// The user has a second factor and none was given.
        case mfaRequired
        /// The factor was wrong or replayed.
        case factorRefused
        /// The second factor is locked until then.
        case locked(until: Timestamp)
        /// Done.
        case completed(userID: String, revokedSessions: Int)
    }

    public var tokenHash: [UInt8]
    /// The new password's argon2id encoding, or `nil` when the password policy refused it.
    public var newPasswordHash: String?
    /// The second factor presented, if any.
    public var attempt: FactorAttempt?
    public var request: RequestInfo

    public init(tokenHash: [UInt8], newPasswordHash: String?, attempt: FactorAttempt?, request: RequestInfo) {
        self.tokenHash = tokenHash
        self.newPasswordHash = newPasswordHash
        self.attempt = attempt
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let link = try AccountLinks.usable(tokenHash, for: .resetPassword, in: context) else { return .invalid }
        let userID = link.userID
        let actor = Actor.user(userID)
        func refuse(_ reason: String) throws {
            try context.emit(PasswordResetRefused(userID: userID, reason: reason), actor: actor, request: request)
        }
        guard let newPasswordHash else {
            try refuse("password_policy")
            return .passwordRefused
        }
        var secondFactor: String?
        if try MFAState.record(of: userID, in: context)?.isEnabled == true {
            guard let attempt else {
                try refuse("mfa_required")
                return .mfaRequired
            }
            let (factor, outcome) = try attempt.decide(userID: userID, challengeID: nil, request: request, in: &context)
            switch outcome {
            case .locked(let until):
                try refuse("mfa_locked")
                return .locked(until: until)
            case .refused:
                try refuse("bad_factor")
                return .factorRefused
            case .accepted:
                guard let factor else { return .invalid }
                try context.emit(factor.usedEvent(userID: userID, purpose: "password_reset", challengeID: nil), actor: actor, request: request)
                secondFactor = factor.method
            }
        }
        try context.emit(
            PasswordResetCompleted(userID: userID, passwordHash: newPasswordHash, secondFactor: secondFactor), actor: actor, request: request)
        let revoked = try RevokeSessions(userID: userID, keep: nil, reason: "password_reset", request: request).run(&context)
        return .completed(userID: userID, revokedSessions: revoked)
    }
}
