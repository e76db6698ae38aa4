import EventLog

// Second-factor events. No event holds a usable secret: TOTP seeds and recovery tokens are sealed (AES-256-GCM)
// under the server data key kept in `<data>/keys/`, MFA and recovery tokens appear as SHA-256 hashes, backup codes as
// HMAC-SHA-256 under a server key.

/// A user started TOTP enrollment: the seed, sealed under the server data key (bound to the user id). Until
/// `mfa.totp_enabled`, TOTP is not required; a new enrollment replaces an unconfirmed one.
public struct MFATOTPEnrollmentStarted: DomainEvent {
    public static let type = "mfa.totp_enrollment_started"
    public static let version = 1
    /// The user.
    public var userID: String
    /// `nonce || ciphertext || tag` of the seed (AES-256-GCM, server data key).
    public var sealedSecret: [UInt8]
    /// The enrollment must be confirmed before this time.
    public var expiresAt: Timestamp

    /// The associated data that binds a sealed TOTP seed to its user (the user id's UTF-8 bytes).
    public static func sealedSecretAssociatedData(userID: String) -> [UInt8] { Array(userID.utf8) }

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("sealed_secret", \.sealedSecret),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = MFATOTPEnrollmentStarted(
        userID: UserRegistered.example.userID, sealedSecret: [UInt8](repeating: 0x5A, count: 48),
        expiresAt: Timestamp(seconds: 1_769_818_200))
}

/// The user confirmed enrollment with a valid code: TOTP is now required at login. `step` is the time step of the
/// confirming code, which is never accepted again.
public struct MFATOTPEnabled: DomainEvent {
    public static let type = "mfa.totp_enabled"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The TOTP time step of the confirming code.
    public var step: Int64

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .int("step", \.step),
    ]

    public static let example = MFATOTPEnabled(userID: UserRegistered.example.userID, step: 58_993_920)
}

/// TOTP (and with it the backup codes) was removed: by the user (`reason` `user`) after a step-up.
public struct MFATOTPDisabled: DomainEvent {
    public static let type = "mfa.totp_disabled"
    public static let version = 1
    /// The user.
    public var userID: String
    /// `user`.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("reason", \.reason),
    ]

    public static let example = MFATOTPDisabled(userID: UserRegistered.example.userID, reason: "user")
}

/// A TOTP code was accepted. `step` becomes the user's last used step: no code of this or an earlier step is
/// accepted again (replay protection lives in the projection, decided inside the write transaction).
public struct MFATOTPVerified: DomainEvent {
    public static let type = "mfa.totp_verified"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The accepted time step.
    public var step: Int64
    /// `login` (completing an MFA challenge) or `step_up`.
    public var purpose: String
    /// The MFA challenge completed, for `login`.
    public var challengeID: String?

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .int("step", \.step),
        .text("purpose", \.purpose),
        .optionalText("challenge_id", \.challengeID),
    ]

    public static let example = MFATOTPVerified(
        userID: UserRegistered.example.userID, step: 58_993_921, purpose: "login", challengeID: "mfc_Y2hhbGxlbmdlaWRleGFtcGxl")
}

/// A new set of backup codes replaced the previous one. Only HMAC-SHA-256 hashes under a server key are recorded, so
/// the log cannot be brute-forced offline.
public struct MFABackupCodesGenerated: DomainEvent {
    public static let type = "mfa.backup_codes_generated"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The set's id.
    public var setID: String
    /// HMAC-SHA-256 of each normalised code (32 bytes each).
    public var codeHashes: [[UInt8]]

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("set_id", \.setID),
        .concatenatedBytes("code_hashes", \.codeHashes, size: 32),
    ]

    public static let example = MFABackupCodesGenerated(
        userID: UserRegistered.example.userID, setID: "bcs_c2V0aWRleGFtcGxl",
        codeHashes: (0..<10).map { [UInt8](repeating: UInt8($0), count: 32) })
}

/// A backup code was used (it never works again).
public struct MFABackupCodeUsed: DomainEvent {
    public static let type = "mfa.backup_code_used"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The set the code belongs to.
    public var setID: String
    /// The code's position in the set.
    public var index: Int64
    /// `login` or `step_up`.
    public var purpose: String
    /// The MFA challenge completed, for `login`.
    public var challengeID: String?

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("set_id", \.setID),
        .int("index", \.index),
        .text("purpose", \.purpose),
        .optionalText("challenge_id", \.challengeID),
    ]

    public static let example = MFABackupCodeUsed(
        userID: UserRegistered.example.userID, setID: MFABackupCodesGenerated.example.setID, index: 3, purpose: "login",
        challengeID: MFATOTPVerified.example.challengeID)
}

/// The password was right but the account needs a second factor: an MFA challenge (single-use, short-lived; only
/// the SHA-256 of its token is recorded). It replaces the user's previous unfinished challenge.
public struct LoginMFARequired: DomainEvent {
    public static let type = "login.mfa_required"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The challenge.
    public var challengeID: String
    /// SHA-256 of the `mfa_token` given to the client.
    public var tokenHash: [UInt8]
    /// The factors that can complete it: `totp`, `backup_code`.
    public var methods: [String]
    /// `cookie` or `token`: the kind of session the completed login creates.
    public var mode: String
    /// The challenge must be completed before this time.
    public var expiresAt: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("challenge_id", \.challengeID),
        .bytes("token_hash", \.tokenHash),
        .textArray("methods", \.methods),
        .text("mode", \.mode),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = LoginMFARequired(
        userID: UserRegistered.example.userID, challengeID: MFATOTPVerified.example.challengeID!,
        tokenHash: [UInt8](repeating: 0xCD, count: 32), methods: ["totp", "backup_code"], mode: "cookie",
        expiresAt: Timestamp(seconds: 1_769_817_900))
}

/// A wrong second factor was presented (at login with an MFA challenge, or at step-up). A challenge dies after
/// ``MFAChallengeRecord/maxAttempts`` failures.
public struct MFAVerificationFailed: DomainEvent {
    public static let type = "mfa.verification_failed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The challenge, for a login.
    public var challengeID: String?
    /// `totp` or `backup_code`.
    public var method: String
    /// `bad_code` (wrong, malformed or replayed).
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .optionalText("challenge_id", \.challengeID),
        .text("method", \.method),
        .text("reason", \.reason),
    ]

    public static let example = MFAVerificationFailed(
        userID: UserRegistered.example.userID, challengeID: MFATOTPVerified.example.challengeID, method: "totp", reason: "bad_code")
}

/// A session was raised to `aal2` by a second factor (step-up); `aal2` counts as fresh for 10 minutes from here.
public struct SessionSteppedUp: DomainEvent {
    public static let type = "session.stepped_up"
    public static let version = 1
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// `totp`, `backup_code`, or `passkey` (a user-verifying passkey re-authentication).
    public var method: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .text("method", \.method),
    ]

    public static let example = SessionSteppedUp(
        sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID, method: "totp")
}

/// Somebody asked to remove the account's MFA because the factor was lost. Nothing happens before `not_before`; a
/// notice goes to the account's email (the token in it is sealed here for the notifier, and hashed for lookup).
public struct MFARecoveryRequested: DomainEvent {
    public static let type = "mfa.recovery_requested"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The recovery.
    public var recoveryID: String
    /// SHA-256 of the recovery token.
    public var tokenHash: [UInt8]
    /// The token sealed under the server data key (bound to the recovery id), for the notifier to deliver.
    public var sealedToken: [UInt8]
    /// Completion is refused before this time (the waiting period).
    public var notBefore: Timestamp
    /// The token is dead after this time.
    public var expiresAt: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    /// The associated data that binds a sealed recovery token to its recovery id.
    public static func sealedTokenAssociatedData(recoveryID: String) -> [UInt8] { Array(("recovery-token:" + recoveryID).utf8) }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("recovery_id", \.recoveryID),
        .bytes("token_hash", \.tokenHash),
        .bytes("sealed_token", \.sealedToken),
        .timestamp("not_before", \.notBefore),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = MFARecoveryRequested(
        userID: UserRegistered.example.userID, recoveryID: "rec_cmVjb3ZlcnlleGFtcGxlaWQ", tokenHash: [UInt8](repeating: 0xEF, count: 32),
        sealedToken: [UInt8](repeating: 0x33, count: 60), notBefore: Timestamp(seconds: 1_769_904_000),
        expiresAt: Timestamp(seconds: 1_770_076_800))
}

/// A pending recovery was cancelled: by the user from an aal2 session (`user`), or by a successful aal2 login
/// during the wait (`aal2_login`), or replaced by a newer request (`superseded`).
public struct MFARecoveryCancelled: DomainEvent {
    public static let type = "mfa.recovery_cancelled"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The recovery.
    public var recoveryID: String
    /// `user`, `aal2_login` or `superseded`.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("recovery_id", \.recoveryID),
        .text("reason", \.reason),
    ]

    public static let example = MFARecoveryCancelled(
        userID: UserRegistered.example.userID, recoveryID: MFARecoveryRequested.example.recoveryID, reason: "aal2_login")
}

/// The waiting period passed and the recovery token was presented: MFA (TOTP and backup codes) is removed. The
/// sessions and refresh families revoked with it are separate events in the same transaction.
public struct MFARecoveryCompleted: DomainEvent {
    public static let type = "mfa.recovery_completed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The recovery.
    public var recoveryID: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("recovery_id", \.recoveryID),
    ]

    public static let example = MFARecoveryCompleted(
        userID: UserRegistered.example.userID, recoveryID: MFARecoveryRequested.example.recoveryID)
}

/// Too many second-factor failures in a row: the user's second factor refuses every attempt until `until` (a
/// cool-down that doubles with each lock, from 15 minutes up to a day). The password was right each time, so the
/// user gets a notice.
public struct MFALocked: DomainEvent {
    public static let type = "mfa.locked"
    public static let version = 1
    /// The user.
    public var userID: String
    /// Consecutive failures that led here.
    public var failures: Int64
    /// Attempts are refused until then.
    public var until: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .int("failures", \.failures),
        .timestamp("until", \.until),
    ]

    public static let example = MFALocked(userID: UserRegistered.example.userID, failures: 20, until: Timestamp(seconds: 1_769_905_000))
}

/// A repeated recovery request while one is pending: the pending recovery stays as it was (same waiting period),
/// and its notice is sent again (at most once an hour). The notifier finds the token in the recovery's
/// `mfa.recovery_requested`.
public struct MFARecoveryReminded: DomainEvent {
    public static let type = "mfa.recovery_reminded"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The pending recovery.
    public var recoveryID: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("recovery_id", \.recoveryID),
    ]

    public static let example = MFARecoveryReminded(userID: UserRegistered.example.userID, recoveryID: MFARecoveryRequested.example.recoveryID)
}
