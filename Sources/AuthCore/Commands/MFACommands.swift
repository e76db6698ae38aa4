import EventLog

/// Reads of the MFA state inside a command's transaction.
public enum MFAState {
    /// The user's MFA record, if any.
    public static func record(of userID: String, in context: CommandContext) throws -> MFARecord? {
        try context.state.table(MFAProjection(), "by_user").record(MFARecord.self, Key.of(userID))
    }

    /// Emits `mfa.recovery_cancelled` (`reason`) if the user has a pending recovery; returns whether there was one.
    @discardableResult
    static func cancelRecovery(of userID: String, reason: String, request: RequestInfo, in context: inout CommandContext) throws -> Bool {
        guard let recoveryID = try record(of: userID, in: context)?.pendingRecovery(at: context.now) else { return false }
        try context.emit(MFARecoveryCancelled(userID: userID, recoveryID: recoveryID, reason: reason), actor: .user(userID), request: request)
        return true
    }
}

/// A second factor presented, already checked by the caller against the state it read (the code against the
/// decrypted seed, a backup code against the stored hashes). The command re-checks against the state at commit
/// time: the step must be later than the last used one, the backup code still unused in the same set.
public enum PresentedFactor: Sendable, Equatable {
    /// A TOTP code of time step `step`.
    case totp(step: Int64)
    /// Backup code `index` of set `setID`.
    case backupCode(setID: String, index: Int64)

    /// `totp` or `backup_code`.
    public var method: String {
        switch self {
        case .totp: "totp"
        case .backupCode: "backup_code"
        }
    }

    /// Whether the factor is still acceptable against `record` (replay protection, one-time codes).
    func isAcceptable(_ record: MFARecord) -> Bool {
        guard record.isEnabled else { return false }
        switch self {
        case .totp(let step):
            return step > (record.lastStep ?? -1)
        case .backupCode(let setID, let index):
            return record.backupSetID == setID && index >= 0 && index < Int64(record.backupCodeHashes.count)
                && !record.isBackupCodeUsed(Int(index))
        }
    }

    /// The event recording its use.
    func usedEvent(userID: String, purpose: String, challengeID: String?) -> any DomainEvent {
        switch self {
        case .totp(let step):
            MFATOTPVerified(userID: userID, step: step, purpose: purpose, challengeID: challengeID)
        case .backupCode(let setID, let index):
            MFABackupCodeUsed(userID: userID, setID: setID, index: index, purpose: purpose, challengeID: challengeID)
        }
    }
}

/// Starts (or restarts) TOTP enrollment with a sealed seed: `mfa.totp_enrollment_started`.
public struct StartTOTPEnrollment: Command {
    public var userID: String
    public var sealedSecret: [UInt8]
    public var expiresAt: Timestamp
    public var request: RequestInfo

    public init(userID: String, sealedSecret: [UInt8], expiresAt: Timestamp, request: RequestInfo) {
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.expiresAt = expiresAt
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        if try MFAState.record(of: userID, in: context)?.isEnabled == true { throw AuthError.mfaAlreadyEnabled }
        try context.emit(
            MFATOTPEnrollmentStarted(userID: userID, sealedSecret: sealedSecret, expiresAt: expiresAt), actor: .user(userID), request: request)
    }
}

/// Confirms TOTP enrollment with a verified code of step `step` for the pending seed `sealedSecret`:
/// `mfa.totp_enabled` and the first `mfa.backup_codes_generated`.
public struct ConfirmTOTP: Command {
    public var userID: String
    /// The pending seed the code was verified against (a concurrent re-enrollment makes the command fail).
    public var sealedSecret: [UInt8]
    public var step: Int64
    public var backupSetID: String
    public var backupHashes: [[UInt8]]
    public var request: RequestInfo

    public init(userID: String, sealedSecret: [UInt8], step: Int64, backupSetID: String, backupHashes: [[UInt8]], request: RequestInfo) {
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.step = step
        self.backupSetID = backupSetID
        self.backupHashes = backupHashes
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard let record = try MFAState.record(of: userID, in: context), !record.isEnabled else { throw AuthError.mfaAlreadyEnabled }
        guard record.pendingSecret == sealedSecret, let expiry = record.pendingExpiresAt, context.now < expiry else {
            throw AuthError.noPendingEnrollment
        }
        let actor = Actor.user(userID)
        try context.emit(MFATOTPEnabled(userID: userID, step: step), actor: actor, request: request)
        try context.emit(MFABackupCodesGenerated(userID: userID, setID: backupSetID, codeHashes: backupHashes), actor: actor, request: request)
    }
}

/// Removes TOTP and the backup codes (`mfa.totp_disabled`), cancelling a pending recovery first.
public struct DisableTOTP: Command {
    public var userID: String
    public var request: RequestInfo

    public init(userID: String, request: RequestInfo) {
        self.userID = userID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard try MFAState.record(of: userID, in: context)?.isEnabled == true else { throw AuthError.mfaNotEnabled }
        try MFAState.cancelRecovery(of: userID, reason: "mfa_disabled", request: request, in: &context)
        try context.emit(MFATOTPDisabled(userID: userID, reason: "user"), actor: .user(userID), request: request)
    }
}

/// Replaces the backup codes (`mfa.backup_codes_generated`); the previous set stops working.
public struct RegenerateBackupCodes: Command {
    public var userID: String
    public var setID: String
    public var hashes: [[UInt8]]
    public var request: RequestInfo

    public init(userID: String, setID: String, hashes: [[UInt8]], request: RequestInfo) {
        self.userID = userID
        self.setID = setID
        self.hashes = hashes
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard try MFAState.record(of: userID, in: context)?.isEnabled == true else { throw AuthError.mfaNotEnabled }
        try context.emit(MFABackupCodesGenerated(userID: userID, setID: setID, codeHashes: hashes), actor: .user(userID), request: request)
    }
}

/// Opens an MFA login challenge after a correct password (`login.mfa_required`), replacing the user's previous one.
public struct RequireMFA: Command {
    public var event: LoginMFARequired
    public var request: RequestInfo

    public init(event: LoginMFARequired, request: RequestInfo) {
        self.event = event
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        try context.emit(event, actor: .user(event.userID), request: request)
    }
}

/// Records a wrong second factor (`mfa.verification_failed`): counts against the login challenge, if any.
public struct RecordMFAFailure: Command {
    public var userID: String
    public var challengeID: String?
    public var method: String
    public var request: RequestInfo

    public init(userID: String, challengeID: String?, method: String, request: RequestInfo) {
        self.userID = userID
        self.challengeID = challengeID
        self.method = method
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        try context.emit(
            MFAVerificationFailed(userID: userID, challengeID: challengeID, method: method, reason: "bad_code"), actor: .user(userID),
            request: request)
    }
}

/// Completes an MFA login challenge with a checked factor: the factor's use event, then the session as by
/// ``CreateSession`` (which, being `aal2`, also cancels a pending recovery). A factor that is no longer acceptable
/// at commit time (replayed step, used code) records `mfa.verification_failed` and returns ``Outcome/refused``.
public struct CompleteMFALogin: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        case session(CreateSession.Result)
        /// The challenge is unknown, expired, used or out of attempts.
        case challengeInvalid
        /// The factor was replayed or already used.
        case refused
    }

    public var challengeTokenHash: [UInt8]
    public var factor: PresentedFactor
    /// The session to create (its `userID` must be the challenge's).
    public var session: CreateSession

    public init(challengeTokenHash: [UInt8], factor: PresentedFactor, session: CreateSession) {
        self.challengeTokenHash = challengeTokenHash
        self.factor = factor
        self.session = session
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard
            let challenge = try context.state.table(MFAProjection(), "challenges").record(MFAChallengeRecord.self, challengeTokenHash),
            challenge.isUsable(at: context.now), challenge.userID == session.userID,
            let record = try MFAState.record(of: session.userID, in: context)
        else { return .challengeInvalid }
        guard factor.isAcceptable(record) else {
            try RecordMFAFailure(userID: session.userID, challengeID: challenge.challengeID, method: factor.method, request: session.request)
                .run(&context)
            return .refused
        }
        try context.emit(
            factor.usedEvent(userID: session.userID, purpose: "login", challengeID: challenge.challengeID), actor: .user(session.userID),
            request: session.request)
        return .session(try session.run(&context))
    }
}

/// Raises a session to `aal2` with a checked factor: the factor's use event, `session.stepped_up` and
/// `session.token_rotated` (the session's token changes with its assurance level); a pending
/// recovery is cancelled (the user has the factor). Returns `false` (after `mfa.verification_failed`) if the
/// factor is no longer acceptable at commit time.
public struct StepUpSession: Command {
    public var sessionID: String
    public var userID: String
    public var factor: PresentedFactor
    /// SHA-256 of the session's new token: a session that changes assurance level gets a new token, as on login.
    public var newTokenHash: [UInt8]
    public var request: RequestInfo

    public init(sessionID: String, userID: String, factor: PresentedFactor, newTokenHash: [UInt8], request: RequestInfo) {
        self.sessionID = sessionID
        self.userID = userID
        self.factor = factor
        self.newTokenHash = newTokenHash
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Bool {
        guard let session = try context.state.table(SessionsProjection(), "by_id").record(SessionRecord.self, Key.of(sessionID)),
            session.userID == userID
        else { throw AuthError.sessionNotFound }
        guard let record = try MFAState.record(of: userID, in: context), record.isEnabled else { throw AuthError.mfaNotEnabled }
        guard factor.isAcceptable(record) else {
            try RecordMFAFailure(userID: userID, challengeID: nil, method: factor.method, request: request).run(&context)
            return false
        }
        let actor = Actor.user(userID)
        try context.emit(factor.usedEvent(userID: userID, purpose: "step_up", challengeID: nil), actor: actor, request: request)
        try context.emit(SessionSteppedUp(sessionID: sessionID, userID: userID, method: factor.method), actor: actor, request: request)
        try context.emit(
            SessionTokenRotated(sessionID: sessionID, userID: userID, tokenHash: newTokenHash, reason: "step_up"), actor: actor,
            request: request)
        try MFAState.cancelRecovery(of: userID, reason: "step_up", request: request, in: &context)
        return true
    }
}

/// Requests MFA recovery for a user with MFA: `mfa.recovery_requested` (a previous pending request is cancelled as
/// `superseded`). Returns `false` and records nothing for a user without MFA.
public struct RequestMFARecovery: Command {
    public var event: MFARecoveryRequested
    public var request: RequestInfo

    public init(event: MFARecoveryRequested, request: RequestInfo) {
        self.event = event
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Bool {
        guard try MFAState.record(of: event.userID, in: context)?.isEnabled == true else { return false }
        try MFAState.cancelRecovery(of: event.userID, reason: "superseded", request: request, in: &context)
        try context.emit(event, actor: .user(event.userID), request: request)
        return true
    }
}

/// Completes a recovery by its token: after the waiting period, `mfa.recovery_completed`, then every session and
/// refresh family of the user revoked (reason `mfa_recovery`).
public struct CompleteMFARecovery: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        /// Unknown, used, cancelled or expired token.
        case invalid
        /// The waiting period has not passed.
        case tooEarly(notBefore: Timestamp)
        /// Done: MFA and every passkey removed, `revokedSessions` sessions revoked.
        case completed(userID: String, revokedSessions: Int)
    }

    public var tokenHash: [UInt8]
    public var request: RequestInfo

    public init(tokenHash: [UInt8], request: RequestInfo) {
        self.tokenHash = tokenHash
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let userBytes = try context.state.table(MFAProjection(), "recoveries").get(tokenHash) else { return .invalid }
        let userID = String(decoding: userBytes, as: UTF8.self)
        guard let record = try MFAState.record(of: userID, in: context), record.recoveryTokenHash == tokenHash,
            let recoveryID = record.pendingRecovery(at: context.now), let notBefore = record.recoveryNotBefore
        else { return .invalid }
        guard context.now >= notBefore else { return .tooEarly(notBefore: notBefore) }
        try context.emit(MFARecoveryCompleted(userID: userID, recoveryID: recoveryID), actor: .user(userID), request: request)
        // Passkeys go too: one planted by whoever held a session would otherwise give aal2 past the recovery.
        var prefix = Array(userID.utf8)
        prefix.append(0)
        for entry in try context.state.table(PasskeysProjection(), "by_user").entries(prefix: prefix) {
            let credentialID = String(decoding: entry.key[prefix.count...], as: UTF8.self)
            try context.emit(PasskeyDeleted(userID: userID, credentialID: credentialID), actor: .user(userID), request: request)
        }
        let revoked = try RevokeSessions(userID: userID, keep: nil, reason: "mfa_recovery", request: request).run(&context)
        return .completed(userID: userID, revokedSessions: revoked)
    }
}

/// Cancels the user's pending recovery (`mfa.recovery_cancelled`, reason `user`). Returns whether one was pending.
public struct CancelMFARecovery: Command {
    public var userID: String
    public var request: RequestInfo

    public init(userID: String, request: RequestInfo) {
        self.userID = userID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Bool {
        try MFAState.cancelRecovery(of: userID, reason: "user", request: request, in: &context)
    }
}
