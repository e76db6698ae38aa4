import EventLog

/// A user's second-factor state: TOTP (sealed seed, last used step), backup codes (keyed hashes, used bits), the
/// pending enrollment, the pending recovery and the current MFA login challenge.
public struct MFARecord: MapRecord {
    /// The sealed seed of an unconfirmed enrollment.
    public var pendingSecret: [UInt8]?
    /// When the unconfirmed enrollment lapses.
    public var pendingExpiresAt: Timestamp?
    /// The sealed seed of the enabled TOTP factor (`nil`: TOTP off).
    public var totpSecret: [UInt8]?
    /// When TOTP was enabled.
    public var enabledAt: Timestamp?
    /// The last accepted TOTP time step (codes of this or earlier steps are refused).
    public var lastStep: Int64?
    /// The current backup-code set.
    public var backupSetID: String?
    /// Its code hashes, 32 bytes each, concatenated.
    public var backupHashes: [UInt8]
    /// Bit `i` set: code `i` was used.
    public var backupUsed: Int64
    /// The pending recovery.
    public var recoveryID: String?
    /// SHA-256 of the pending recovery's token.
    public var recoveryTokenHash: [UInt8]?
    /// Completion allowed from.
    public var recoveryNotBefore: Timestamp?
    /// The pending recovery's token expires at.
    public var recoveryExpiresAt: Timestamp?
    /// SHA-256 of the token of the current MFA login challenge.
    public var challengeTokenHash: [UInt8]?
    /// Second-factor failures since the last success or lock.
    public var consecutiveFailures: Int64 = 0
    /// Locks so far without a success in between (each doubles the cool-down).
    public var lockCount: Int64 = 0
    /// Second-factor attempts are refused until then.
    public var lockedUntil: Timestamp?
    /// When the last recovery notice (request or reminder) was sent.
    public var recoveryMailAt: Timestamp?
    /// Start of the current 24-hour window of recovery notices.
    public var recoveryMailWindowStart: Timestamp?
    /// Recovery notices in that window.
    public var recoveryMailCount: Int64 = 0

    /// An empty record.
    public init() {
        backupHashes = []
        backupUsed = 0
    }

    /// Whether a second factor is enabled (TOTP, which brings backup codes).
    public var isEnabled: Bool { totpSecret != nil }

    /// Whether the second factor refuses attempts at `now` (``MFALocked``).
    public func isLocked(at now: Timestamp) -> Bool { lockedUntil.map { now < $0 } ?? false }

    /// Recovery notices sent in the 24 hours window that is current at `now`.
    public func recoveryMails(at now: Timestamp) -> Int64 {
        guard let start = recoveryMailWindowStart, now < start.adding(seconds: 86_400) else { return 0 }
        return recoveryMailCount
    }

    /// The backup-code hashes, 32 bytes each.
    public var backupCodeHashes: [[UInt8]] {
        stride(from: 0, to: backupHashes.count - backupHashes.count % 32, by: 32).map { Array(backupHashes[$0..<($0 + 32)]) }
    }

    /// Whether backup code `index` was used.
    public func isBackupCodeUsed(_ index: Int) -> Bool { index >= 0 && index < 63 && backupUsed & (1 << Int64(index)) != 0 }

    /// Backup codes not used yet.
    public var backupCodesRemaining: Int { (0..<backupCodeHashes.count).filter { !isBackupCodeUsed($0) }.count }

    /// Whether a recovery is pending (requested, not cancelled, completed or expired) at `now`.
    public func pendingRecovery(at now: Timestamp) -> String? {
        guard let recoveryID, let expiry = recoveryExpiresAt, now < expiry else { return nil }
        return recoveryID
    }

    public func encode(to writer: inout PayloadWriter) {
        if let pendingSecret { writer.add("pending_secret", bytes: pendingSecret) }
        writer.add("pending_expires_at", pendingExpiresAt?.microseconds)
        if let totpSecret { writer.add("totp_secret", bytes: totpSecret) }
        writer.add("enabled_at", enabledAt?.microseconds)
        writer.add("last_step", lastStep)
        writer.add("backup_set_id", backupSetID)
        writer.add("backup_hashes", bytes: backupHashes)
        writer.add("backup_used", backupUsed)
        writer.add("recovery_id", recoveryID)
        if let recoveryTokenHash { writer.add("recovery_token_hash", bytes: recoveryTokenHash) }
        writer.add("recovery_not_before", recoveryNotBefore?.microseconds)
        writer.add("recovery_expires_at", recoveryExpiresAt?.microseconds)
        if let challengeTokenHash { writer.add("challenge_token_hash", bytes: challengeTokenHash) }
        writer.add("consecutive_failures", consecutiveFailures == 0 ? nil : consecutiveFailures)
        writer.add("lock_count", lockCount == 0 ? nil : lockCount)
        writer.add("locked_until", lockedUntil?.microseconds)
        writer.add("recovery_mail_at", recoveryMailAt?.microseconds)
        writer.add("recovery_mail_window_start", recoveryMailWindowStart?.microseconds)
        writer.add("recovery_mail_count", recoveryMailCount == 0 ? nil : recoveryMailCount)
    }

    public init(fields: PayloadReader) throws {
        pendingSecret = try fields.optionalBytes("pending_secret")
        pendingExpiresAt = try fields.optionalInt("pending_expires_at").map(Timestamp.init(microseconds:))
        totpSecret = try fields.optionalBytes("totp_secret")
        enabledAt = try fields.optionalInt("enabled_at").map(Timestamp.init(microseconds:))
        lastStep = try fields.optionalInt("last_step")
        backupSetID = try fields.optionalString("backup_set_id")
        backupHashes = try fields.bytes("backup_hashes")
        backupUsed = try fields.int("backup_used")
        recoveryID = try fields.optionalString("recovery_id")
        recoveryTokenHash = try fields.optionalBytes("recovery_token_hash")
        recoveryNotBefore = try fields.optionalInt("recovery_not_before").map(Timestamp.init(microseconds:))
        recoveryExpiresAt = try fields.optionalInt("recovery_expires_at").map(Timestamp.init(microseconds:))
        challengeTokenHash = try fields.optionalBytes("challenge_token_hash")
        consecutiveFailures = try fields.optionalInt("consecutive_failures") ?? 0
        lockCount = try fields.optionalInt("lock_count") ?? 0
        lockedUntil = try fields.optionalInt("locked_until").map(Timestamp.init(microseconds:))
        recoveryMailAt = try fields.optionalInt("recovery_mail_at").map(Timestamp.init(microseconds:))
        recoveryMailWindowStart = try fields.optionalInt("recovery_mail_window_start").map(Timestamp.init(microseconds:))
        recoveryMailCount = try fields.optionalInt("recovery_mail_count") ?? 0
    }
}

/// A pending second-factor login (by SHA-256 of its `mfa_token`).
public struct MFAChallengeRecord: MapRecord {
    /// Wrong codes after which a challenge is dead (the user must enter the password again).
    public static let maxAttempts: Int64 = 5

    public var challengeID: String
    public var userID: String
    public var mode: String
    public var expiresAt: Timestamp
    public var failures: Int64

    public init(challengeID: String, userID: String, mode: String, expiresAt: Timestamp, failures: Int64) {
        self.challengeID = challengeID
        self.userID = userID
        self.mode = mode
        self.expiresAt = expiresAt
        self.failures = failures
    }

    /// Whether the challenge can still be completed at `now`.
    public func isUsable(at now: Timestamp) -> Bool { now < expiresAt && failures < Self.maxAttempts }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("challenge_id", challengeID)
        writer.add("user_id", userID)
        writer.add("mode", mode)
        writer.add("expires_at", expiresAt.microseconds)
        writer.add("failures", failures)
    }

    public init(fields: PayloadReader) throws {
        challengeID = try fields.string("challenge_id")
        userID = try fields.string("user_id")
        mode = try fields.string("mode")
        expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
        failures = try fields.int("failures")
    }
}

/// Second factors: `by_user` (``MFARecord``), `challenges` (``MFAChallengeRecord`` by SHA-256 of the `mfa_token`),
/// `recoveries` (SHA-256 of a recovery token → user id). v2 counts consecutive failures and locks
/// (`mfa.locked`), and the recovery notices of the last 24 hours (`mfa.recovery_reminded`).
public struct MFAProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "mfa"
    public let version = 2
    public let tables = ["by_user", "challenges", "recoveries"]
    public var eventTypes: Set<String>? {
        [
            MFATOTPEnrollmentStarted.type, MFATOTPEnabled.type, MFATOTPDisabled.type, MFATOTPVerified.type, MFAVerificationFailed.type,
            MFABackupCodesGenerated.type, MFABackupCodeUsed.type, LoginMFARequired.type, MFARecoveryRequested.type,
            MFARecoveryCancelled.type, MFARecoveryCompleted.type, MFARecoveryReminded.type, MFALocked.type,
            UserDeleted.type,
        ]
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let challenges = state.table(self, "challenges")
        switch event.type {
        case MFATOTPEnrollmentStarted.type:
            let e = try MFATOTPEnrollmentStarted(event)
            try update(state, e.userID) {
                $0.pendingSecret = e.sealedSecret
                $0.pendingExpiresAt = e.expiresAt
            }
        case MFATOTPEnabled.type:
            let e = try MFATOTPEnabled(event)
            try update(state, e.userID) {
                $0.totpSecret = $0.pendingSecret
                $0.pendingSecret = nil
                $0.pendingExpiresAt = nil
                $0.enabledAt = event.timestamp
                $0.lastStep = e.step
            }
        case MFATOTPDisabled.type:
            let e = try MFATOTPDisabled(event)
            try removeFactors(state, e.userID)
        case MFATOTPVerified.type:
            let e = try MFATOTPVerified(event)
            try update(state, e.userID) {
                $0.lastStep = max($0.lastStep ?? e.step, e.step)
                Self.succeeded(&$0)
                if e.challengeID != nil { try self.clearChallenge(&$0, state) }
            }
        case MFABackupCodesGenerated.type:
            let e = try MFABackupCodesGenerated(event)
            try update(state, e.userID) {
                $0.backupSetID = e.setID
                $0.backupHashes = e.codeHashes.flatMap { $0 }
                $0.backupUsed = 0
            }
        case MFABackupCodeUsed.type:
            let e = try MFABackupCodeUsed(event)
            try update(state, e.userID) {
                if $0.backupSetID == e.setID, (0..<63).contains(e.index) { $0.backupUsed |= 1 << e.index }
                Self.succeeded(&$0)
                if e.challengeID != nil { try self.clearChallenge(&$0, state) }
            }
        case LoginMFARequired.type:
            let e = try LoginMFARequired(event)
            try update(state, e.userID) {
                if let previous = $0.challengeTokenHash { try challenges.delete(previous) }
                $0.challengeTokenHash = e.tokenHash
            }
            try challenges.put(
                e.tokenHash,
                record: MFAChallengeRecord(challengeID: e.challengeID, userID: e.userID, mode: e.mode, expiresAt: e.expiresAt, failures: 0))
        case MFAVerificationFailed.type:
            let e = try MFAVerificationFailed(event)
            try update(state, e.userID) { $0.consecutiveFailures += 1 }
            guard e.challengeID != nil, let hash = try record(state, e.userID)?.challengeTokenHash,
                var challenge = try challenges.record(MFAChallengeRecord.self, hash), challenge.challengeID == e.challengeID
            else { return }
            challenge.failures += 1
            try challenges.put(hash, record: challenge)
        case MFARecoveryRequested.type:
            let e = try MFARecoveryRequested(event)
            try update(state, e.userID) {
                $0.recoveryID = e.recoveryID
                $0.recoveryTokenHash = e.tokenHash
                $0.recoveryNotBefore = e.notBefore
                $0.recoveryExpiresAt = e.expiresAt
                Self.recoveryMailed(&$0, at: event.timestamp)
            }
            try state.table(self, "recoveries").put(e.tokenHash, Key.of(e.userID))
        case MFARecoveryCancelled.type:
            let e = try MFARecoveryCancelled(event)
            try update(state, e.userID) {
                guard $0.recoveryID == e.recoveryID else { return }
                try self.clearRecovery(&$0, state)
            }
        case MFARecoveryCompleted.type:
            let e = try MFARecoveryCompleted(event)
            try removeFactors(state, e.userID)
        case MFARecoveryReminded.type:
            let e = try MFARecoveryReminded(event)
            try update(state, e.userID) { Self.recoveryMailed(&$0, at: event.timestamp) }
        case MFALocked.type:
            let e = try MFALocked(event)
            try update(state, e.userID) {
                $0.lockedUntil = e.until
                $0.lockCount += 1
                $0.consecutiveFailures = 0
            }
        case UserDeleted.type:
            // Everything of the account goes: the record, its challenge and recovery rows.
            try removeFactors(state, try UserDeleted(event).userID)
        default:
            break
        }
    }

    /// A second factor was accepted: the failure count and the lock history start over.
    private static func succeeded(_ record: inout MFARecord) {
        record.consecutiveFailures = 0
        record.lockCount = 0
        record.lockedUntil = nil
    }

    /// A recovery notice went out at `time`: counted in its 24-hour window.
    private static func recoveryMailed(_ record: inout MFARecord, at time: Timestamp) {
        if let start = record.recoveryMailWindowStart, time < start.adding(seconds: 86_400) {
            record.recoveryMailCount += 1
        } else {
            record.recoveryMailWindowStart = time
            record.recoveryMailCount = 1
        }
        record.recoveryMailAt = time
    }

    /// Removes TOTP, backup codes, the pending enrollment, recovery and challenge (disable, or recovery completed).
    private func removeFactors(_ state: ProjectionState, _ userID: String) throws {
        try update(state, userID) {
            try self.clearRecovery(&$0, state)
            try self.clearChallenge(&$0, state)
            $0 = MFARecord()
        }
    }

    /// Drops the user's pending login challenge (its `mfa_token` can no longer be used).
    private func clearChallenge(_ record: inout MFARecord, _ state: ProjectionState) throws {
        if let hash = record.challengeTokenHash { try state.table(self, "challenges").delete(hash) }
        record.challengeTokenHash = nil
    }

    private func clearRecovery(_ record: inout MFARecord, _ state: ProjectionState) throws {
        if let hash = record.recoveryTokenHash { try state.table(self, "recoveries").delete(hash) }
        record.recoveryID = nil
        record.recoveryTokenHash = nil
        record.recoveryNotBefore = nil
        record.recoveryExpiresAt = nil
    }

    private func record(_ state: ProjectionState, _ userID: String) throws -> MFARecord? {
        try state.table(self, "by_user").record(MFARecord.self, Key.of(userID))
    }

    /// Reads, changes and writes the user's record (an empty record once everything is removed is deleted).
    private func update(_ state: ProjectionState, _ userID: String, _ change: (inout MFARecord) throws -> Void) throws {
        let table = state.table(self, "by_user")
        var record = try self.record(state, userID) ?? MFARecord()
        try change(&record)
        if record == MFARecord() {
            try table.delete(Key.of(userID))
        } else {
            try table.put(Key.of(userID), record: record)
        }
    }
}
