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

/// A second factor as presented (a TOTP code or a backup code), checked **inside** the write transaction against
/// the state at that moment: concurrent attempts cannot get more tries than the counts allow, and a locked second
/// factor is never checked at all. `check` decrypts and verifies (the caller's keys); `nil` means wrong.
public struct FactorAttempt: Sendable {
    /// `totp` or `backup_code`.
    public var method: String
    /// The factor if the presented value is right for the record, else `nil`.
    public var check: @Sendable (MFARecord) throws -> PresentedFactor?

    public init(method: String, check: @escaping @Sendable (MFARecord) throws -> PresentedFactor?) {
        self.method = method
        self.check = check
    }
}

/// What a second-factor attempt came to inside the transaction.
public enum FactorOutcome: Sendable, Equatable {
    /// Right, and recorded as used.
    case accepted
    /// Wrong (recorded as a failure); `attemptsLeft` on the login challenge, if there is one.
    case refused(attemptsLeft: Int64?)
    /// The second factor is locked until then; nothing was checked.
    case locked(until: Timestamp)
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

    /// The associated data that binds a sealed TOTP seed to its user: seal the seed under it before starting the
    /// enrollment, and open it under it to verify codes.
    public static func sealedSecretAssociatedData(userID: String) -> [UInt8] {
        MFATOTPEnrollmentStarted.sealedSecretAssociatedData(userID: userID)
    }

    public func run(_ context: inout CommandContext) throws {
        if try MFAState.record(of: userID, in: context)?.isEnabled == true { throw AuthError.mfaAlreadyEnabled }
        try context.emit(
            MFATOTPEnrollmentStarted(userID: userID, sealedSecret: sealedSecret, expiresAt: expiresAt), actor: .user(userID), request: request)
    }
}

/// Confirms TOTP enrollment with a verified code of step `step` for the pending seed `sealedSecret`:
/// `mfa.totp_enabled` and the first `mfa.backup_codes_generated`; with ``revokeOtherSessions`` (the session that
/// confirms in ``keepSessionID``) every other session of the user is revoked too (reason `others_revoked`), so that
/// a session somebody else holds does not outlive the new factor. Returns the number revoked.
public struct ConfirmTOTP: Command {
    public var userID: String
    /// The pending seed the code was verified against (a concurrent re-enrollment makes the command fail).
    public var sealedSecret: [UInt8]
    public var step: Int64
    public var backupSetID: String
    public var backupHashes: [[UInt8]]
    /// Revoke every session of the user but ``keepSessionID``.
    public var revokeOtherSessions: Bool
    public var keepSessionID: String?
    public var request: RequestInfo

    public init(
        userID: String, sealedSecret: [UInt8], step: Int64, backupSetID: String, backupHashes: [[UInt8]], revokeOtherSessions: Bool = false,
        keepSessionID: String? = nil, request: RequestInfo
    ) {
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.step = step
        self.backupSetID = backupSetID
        self.backupHashes = backupHashes
        self.revokeOtherSessions = revokeOtherSessions
        self.keepSessionID = keepSessionID
        self.request = request
    }

    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Int {
        guard let record = try MFAState.record(of: userID, in: context), !record.isEnabled else { throw AuthError.mfaAlreadyEnabled }
        guard record.pendingSecret == sealedSecret, let expiry = record.pendingExpiresAt, context.now < expiry else {
            throw AuthError.noPendingEnrollment
        }
        let actor = Actor.user(userID)
        try context.emit(MFATOTPEnabled(userID: userID, step: step), actor: actor, request: request)
        try context.emit(MFABackupCodesGenerated(userID: userID, setID: backupSetID, codeHashes: backupHashes), actor: actor, request: request)
        guard revokeOtherSessions else { return 0 }
        return try RevokeSessions(userID: userID, keep: keepSessionID, reason: "others_revoked", request: request).run(&context)
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

/// Opens an MFA login challenge after a correct first factor (`login.mfa_required`), replacing the user's previous
/// one. Only the hash of the challenge's token (`mfa_token`) is recorded.
public struct RequireMFA: Command {
    public var userID: String
    public var challengeID: String
    /// SHA-256 of the `mfa_token` handed to the caller.
    public var tokenHash: [UInt8]
    /// The second factors the challenge accepts (`totp`, `backup_code`).
    public var methods: [String]
    /// The login's mode (`cookie` or `token`), for the session the challenge completes into.
    public var mode: String
    public var expiresAt: Timestamp
    public var request: RequestInfo

    public init(
        userID: String, challengeID: String, tokenHash: [UInt8], methods: [String], mode: String, expiresAt: Timestamp, request: RequestInfo
    ) {
        self.userID = userID
        self.challengeID = challengeID
        self.tokenHash = tokenHash
        self.methods = methods
        self.mode = mode
        self.expiresAt = expiresAt
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        try context.emit(
            LoginMFARequired(
                userID: userID, challengeID: challengeID, tokenHash: tokenHash, methods: methods, mode: mode, expiresAt: expiresAt),
            actor: .user(userID), request: request)
    }
}

/// The second-factor lockout: after ``threshold`` consecutive failures the factor refuses every attempt for a
/// cool-down of 15 minutes, doubling with each further lock up to a day, until a correct code starts over.
public enum MFALockout {
    /// Consecutive failures that lock the second factor.
    public static let threshold: Int64 = 20
    /// The first cool-down, seconds.
    public static let firstCoolDown: Int64 = 15 * 60
    /// The longest cool-down, seconds.
    public static let longestCoolDown: Int64 = 86_400

    /// The cool-down of lock number `n` (1-based).
    public static func coolDown(lock n: Int64) -> Int64 {
        let doublings = min(max(n - 1, 0), 16)
        return min(firstCoolDown << doublings, longestCoolDown)
    }
}

/// Records a wrong second factor (`mfa.verification_failed`): counts against the login challenge, if any, and
/// towards the lockout (`mfa.locked` at ``MFALockout/threshold`` consecutive failures of an enabled factor).
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
        guard let record = try MFAState.record(of: userID, in: context), record.isEnabled,
            record.consecutiveFailures >= MFALockout.threshold
        else { return }
        let until = context.now.adding(seconds: MFALockout.coolDown(lock: record.lockCount + 1))
        try context.emit(MFALocked(userID: userID, failures: record.consecutiveFailures, until: until), actor: .user(userID), request: request)
    }
}

extension FactorAttempt {
    /// Checks this attempt for `userID` inside the transaction: refused without a check while the factor is locked;
    /// a wrong or no longer acceptable (replayed, used) factor is recorded as a failure; a right one returns it,
    /// for the caller to record its use.
    func decide(userID: String, challengeID: String?, request: RequestInfo, in context: inout CommandContext) throws
        -> (PresentedFactor?, FactorOutcome)
    {
        guard let record = try MFAState.record(of: userID, in: context), record.isEnabled else { throw AuthError.mfaNotEnabled }
        if let until = record.lockedUntil, record.isLocked(at: context.now) { return (nil, .locked(until: until)) }
        if let factor = try check(record), factor.isAcceptable(record) { return (factor, .accepted) }
        try RecordMFAFailure(userID: userID, challengeID: challengeID, method: method, request: request).run(&context)
        return (nil, .refused(attemptsLeft: nil))
    }
}

/// Completes an MFA login challenge: the factor is checked here, inside the transaction (``FactorAttempt``), so
/// that concurrent guesses on one `mfa_token` get no more than ``MFAChallengeRecord/maxAttempts`` checks in all. A
/// right factor records its use, then the session as by ``CreateSession`` (which, being `aal2`, also cancels a
/// pending recovery).
public struct CompleteMFALogin: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        case session(CreateSession.Result)
        /// The challenge is unknown, expired, used or out of attempts.
        case challengeInvalid
        /// The factor was wrong, replayed or already used; `attemptsLeft` on the challenge.
        case refused(attemptsLeft: Int64)
        /// The user's second factor is locked until then.
        case locked(until: Timestamp)
    }

    public var challengeTokenHash: [UInt8]
    public var attempt: FactorAttempt
    /// The session to create (its `userID` must be the challenge's).
    public var session: CreateSession

    public init(challengeTokenHash: [UInt8], attempt: FactorAttempt, session: CreateSession) {
        self.challengeTokenHash = challengeTokenHash
        self.attempt = attempt
        self.session = session
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        let challenges = context.state.table(MFAProjection(), "challenges")
        guard let challenge = try challenges.record(MFAChallengeRecord.self, challengeTokenHash),
            challenge.isUsable(at: context.now), challenge.userID == session.userID,
            try MFAState.record(of: session.userID, in: context)?.isEnabled == true
        else { return .challengeInvalid }
        let (factor, outcome) = try attempt.decide(
            userID: session.userID, challengeID: challenge.challengeID, request: session.request, in: &context)
        switch outcome {
        case .locked(let until):
            return .locked(until: until)
        case .refused:
            let failures = try challenges.record(MFAChallengeRecord.self, challengeTokenHash)?.failures ?? MFAChallengeRecord.maxAttempts
            return .refused(attemptsLeft: max(0, MFAChallengeRecord.maxAttempts - failures))
        case .accepted:
            guard let factor else { return .challengeInvalid }
            try context.emit(
                factor.usedEvent(userID: session.userID, purpose: "login", challengeID: challenge.challengeID), actor: .user(session.userID),
                request: session.request)
            return .session(try session.run(&context))
        }
    }
}

/// Raises a session to `aal2` with a second factor checked here, inside the transaction (``FactorAttempt``): the
/// factor's use event, `session.stepped_up` and `session.token_rotated` (the session's token changes with its
/// assurance level); a pending recovery is cancelled (the user has the factor).
public struct StepUpSession: Command {
    public var sessionID: String
    public var userID: String
    public var attempt: FactorAttempt
    /// SHA-256 of the session's new token: a session that changes assurance level gets a new token, as on login.
    public var newTokenHash: [UInt8]
    public var request: RequestInfo

    public init(sessionID: String, userID: String, attempt: FactorAttempt, newTokenHash: [UInt8], request: RequestInfo) {
        self.sessionID = sessionID
        self.userID = userID
        self.attempt = attempt
        self.newTokenHash = newTokenHash
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> FactorOutcome {
        guard let session = try context.state.table(SessionsProjection(), "by_id").record(SessionRecord.self, Key.of(sessionID)),
            session.userID == userID
        else { throw AuthError.sessionNotFound }
        let (factor, outcome) = try attempt.decide(userID: userID, challengeID: nil, request: request, in: &context)
        guard case .accepted = outcome, let factor else { return outcome }
        let actor = Actor.user(userID)
        try context.emit(factor.usedEvent(userID: userID, purpose: "step_up", challengeID: nil), actor: actor, request: request)
        try context.emit(SessionSteppedUp(sessionID: sessionID, userID: userID, method: factor.method), actor: actor, request: request)
        try context.emit(
            SessionTokenRotated(sessionID: sessionID, userID: userID, tokenHash: newTokenHash, reason: "step_up"), actor: actor,
            request: request)
        try MFAState.cancelRecovery(of: userID, reason: "step_up", request: request, in: &context)
        return .accepted
    }
}

/// Requests MFA recovery. The caller's answer is the same whatever happens here, and every outcome commits
/// durably (``CommandContext/requireDurableCommit()`` when no event is written), so that neither the answer nor its
/// timing tells whether the email has an account, or MFA:
///
/// - a user with MFA and no pending recovery: `mfa.recovery_requested` (``recoveryID``) starts the waiting period;
/// - a pending recovery is **kept** (same waiting period, same `not_before`: a stranger's requests cannot restart
///   it); its notice is sent again (`mfa.recovery_reminded`) at most once per ``resendInterval``;
/// - at most ``maxPerDay`` notices per account in 24 hours; beyond that nothing is written.
public struct RequestMFARecovery: Command {
    /// What happened (never shown to the caller).
    public enum Outcome: Sendable, Equatable {
        /// A new recovery started.
        case started
        /// The pending recovery's notice was sent again.
        case reminded
        /// Nothing written: no such user, no MFA, a notice sent too recently, or the day's notices used up.
        case nothing
    }

    /// Seconds between two notices of one pending recovery.
    public static let resendInterval: Int64 = 3_600

    /// The user the email names, or `nil`.
    public var userID: String?
    /// The new recovery, if one starts: its id, the hash of its token, the token sealed for the notifier (under
    /// ``sealedTokenAssociatedData(recoveryID:)``), and its waiting period and expiry.
    public var recoveryID: String
    public var tokenHash: [UInt8]
    public var sealedToken: [UInt8]
    public var notBefore: Timestamp
    public var expiresAt: Timestamp
    /// Notices per account in 24 hours.
    public var maxPerDay: Int64
    public var request: RequestInfo

    public init(
        userID: String?, recoveryID: String, tokenHash: [UInt8], sealedToken: [UInt8], notBefore: Timestamp, expiresAt: Timestamp,
        maxPerDay: Int64, request: RequestInfo
    ) {
        self.userID = userID
        self.recoveryID = recoveryID
        self.tokenHash = tokenHash
        self.sealedToken = sealedToken
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.maxPerDay = maxPerDay
        self.request = request
    }

    /// The associated data that binds a sealed recovery token to its recovery id (the notifier opens it with it).
    public static func sealedTokenAssociatedData(recoveryID: String) -> [UInt8] {
        MFARecoveryRequested.sealedTokenAssociatedData(recoveryID: recoveryID)
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let userID, let record = try MFAState.record(of: userID, in: context), record.isEnabled,
            record.recoveryMails(at: context.now) < maxPerDay
        else {
            try context.requireDurableCommit()
            return .nothing
        }
        if let recoveryID = record.pendingRecovery(at: context.now) {
            guard context.now >= (record.recoveryMailAt ?? Timestamp(microseconds: 0)).adding(seconds: Self.resendInterval) else {
                try context.requireDurableCommit()
                return .nothing
            }
            try context.emit(MFARecoveryReminded(userID: userID, recoveryID: recoveryID), actor: .user(userID), request: request)
            return .reminded
        }
        try context.emit(
            MFARecoveryRequested(
                userID: userID, recoveryID: recoveryID, tokenHash: tokenHash, sealedToken: sealedToken, notBefore: notBefore,
                expiresAt: expiresAt),
            actor: .user(userID), request: request)
        return .started
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
            let credentialID = String(decoding: entry.value, as: UTF8.self)
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
