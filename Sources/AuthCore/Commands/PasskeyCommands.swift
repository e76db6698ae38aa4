import EventLog

/// Registers a verified passkey (`passkey.registered`). Credential ids are unique across users.
public struct RegisterPasskey: Command {
    public var userID: String
    /// The credential id, base64url.
    public var credentialID: String
    /// The public key, SubjectPublicKeyInfo DER.
    public var publicKey: [UInt8]
    /// The COSE algorithm.
    public var algorithm: Int64
    public var signCount: Int64
    public var aaguid: String
    public var backupEligible: Bool
    public var backupState: Bool
    public var transports: [String]
    public var attestationFormat: String
    public var name: String
    public var request: RequestInfo

    public init(
        userID: String, credentialID: String, publicKey: [UInt8], algorithm: Int64, signCount: Int64, aaguid: String, backupEligible: Bool,
        backupState: Bool, transports: [String], attestationFormat: String, name: String, request: RequestInfo
    ) {
        self.userID = userID
        self.credentialID = credentialID
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.aaguid = aaguid
        self.backupEligible = backupEligible
        self.backupState = backupState
        self.transports = transports
        self.attestationFormat = attestationFormat
        self.name = name
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard try context.state.table(UsersProjection(), "by_id").get(Key.of(userID)) != nil else { throw AuthError.unknownUser }
        guard try context.state.table(PasskeysProjection(), "by_id").get(PasskeysProjection.idKey(credentialID)) == nil else {
            throw AuthError.credentialTaken
        }
        try context.emit(
            PasskeyRegistered(
                userID: userID, credentialID: credentialID, publicKey: publicKey, algorithm: algorithm, signCount: signCount,
                aaguid: aaguid, backupEligible: backupEligible, backupState: backupState, transports: transports,
                attestationFormat: attestationFormat, name: name),
            actor: .user(userID), request: request)
    }
}

/// The success path of a passkey login, with the signature counter rule (WebAuthn §6.1.1) decided against the
/// counter stored at commit time: `passkey.counter_advanced` when it grew; `passkey.counter_regressed` when it did
/// not (and one of the two is non-zero). Under policy `reject` a regression records the event and returns
/// ``Outcome/rejected(old:new:)`` without a session (the command does not throw, so the event is committed);
/// otherwise the session is created as by ``CreateSession``.
public struct PasskeyLogin: Command {
    public enum Outcome: Sendable, Equatable {
        case session(CreateSession.Result)
        case rejected(old: Int64, new: Int64)
        /// The assertion had no user verification and the account has a second factor: an MFA challenge was opened
        /// instead of a session (``mfaChallenge``).
        case mfaRequired
    }

    public var credentialID: String
    public var newCount: Int64
    /// `reject` or `warn`.
    public var counterPolicy: String
    public var session: CreateSession
    /// Opened instead of the session when the session would be `aal1` and the user has a second factor (a passkey
    /// without user verification is one factor, like a password).
    public var mfaChallenge: RequireMFA?
    /// Whether login needs a verified email (`--require-verified-email`): checked after the counter, so only an
    /// assertion that verified is told (``AuthError/emailNotVerified``; nothing is recorded).
    public var requireVerifiedEmail: Bool

    public init(
        credentialID: String, newCount: Int64, counterPolicy: String, session: CreateSession, mfaChallenge: RequireMFA? = nil,
        requireVerifiedEmail: Bool = false
    ) {
        self.credentialID = credentialID
        self.newCount = newCount
        self.counterPolicy = counterPolicy
        self.session = session
        self.mfaChallenge = mfaChallenge
        self.requireVerifiedEmail = requireVerifiedEmail
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        try UserLock.refuseIfLocked(session.userID, in: context)
        let record = try PasskeyCounter.passkey(credentialID, of: session.userID, in: context)
        if let rejected = try PasskeyCounter.apply(
            credentialID: credentialID, record: record, newCount: newCount, policy: counterPolicy, request: session.request, in: &context)
        {
            return .rejected(old: rejected.old, new: rejected.new)
        }
        try VerifiedEmailRule.check(record.userID, required: requireVerifiedEmail, in: context)
        if session.aal != "aal2", let mfaChallenge, try MFAState.record(of: record.userID, in: context)?.isEnabled == true {
            try mfaChallenge.run(&context)
            return .mfaRequired
        }
        return .session(try session.run(&context))
    }
}

/// Renames one of the user's passkeys (`passkey.renamed`).
public struct RenamePasskey: Command {
    public var userID: String
    public var credentialID: String
    public var name: String
    public var request: RequestInfo

    public init(userID: String, credentialID: String, name: String, request: RequestInfo) {
        self.userID = userID
        self.credentialID = credentialID
        self.name = name
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> PasskeyRecord {
        var record = try PasskeyCounter.passkey(credentialID, of: userID, in: context)
        try context.emit(PasskeyRenamed(userID: userID, credentialID: credentialID, name: name), actor: .user(userID), request: request)
        record.name = name
        return record
    }
}

/// Deletes one of the user's passkeys (`passkey.deleted`).
public struct DeletePasskey: Command {
    public var userID: String
    public var credentialID: String
    public var request: RequestInfo

    public init(userID: String, credentialID: String, request: RequestInfo) {
        self.userID = userID
        self.credentialID = credentialID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        _ = try PasskeyCounter.passkey(credentialID, of: userID, in: context)  // it must be one of the user's
        try context.emit(PasskeyDeleted(userID: userID, credentialID: credentialID), actor: .user(userID), request: request)
    }
}

/// A user's passkey inside a command, and the signature-counter rule of an assertion against the counter stored at
/// commit time: an advance is recorded (`passkey.counter_advanced`); a regression is recorded
/// (`passkey.counter_regressed`) and, unless the policy is `warn`, refuses the assertion. Authenticators that keep no
/// counter (0 and 0) pass.
enum PasskeyCounter {
    /// The passkey `credentialID` if it is one of `userID`'s, else ``AuthError/passkeyNotFound``.
    static func passkey(_ credentialID: String, of userID: String, in context: CommandContext) throws -> PasskeyRecord {
        guard let record = try context.state.table(PasskeysProjection(), "by_id").record(PasskeyRecord.self, PasskeysProjection.idKey(credentialID)),
            record.userID == userID
        else { throw AuthError.passkeyNotFound }
        return record
    }

    /// `nil` if the assertion may go on, else the stored and presented counts.
    static func apply(
        credentialID: String, record: PasskeyRecord, newCount: Int64, policy: String, request: RequestInfo, in context: inout CommandContext
    ) throws -> (old: Int64, new: Int64)? {
        let actor = Actor.user(record.userID)
        let old = record.signCount
        if old == 0 && newCount == 0 { return nil }
        if newCount > old {
            try context.emit(
                PasskeyCounterAdvanced(userID: record.userID, credentialID: credentialID, oldCount: old, newCount: newCount),
                actor: actor, request: request)
            return nil
        }
        try context.emit(
            PasskeyCounterRegressed(userID: record.userID, credentialID: credentialID, oldCount: old, newCount: newCount, policy: policy),
            actor: actor, request: request)
        return policy == "warn" ? nil : (old, newCount)
    }
}

/// Re-authenticates a session with one of its user's passkeys (the caller verified the assertion): the counter rule,
/// then ``ReauthenticateSession`` (a user-verifying assertion raises an `aal1` session to `aal2` with a new token).
public struct ReauthenticateWithPasskey: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable {
        case reauthenticated(ReauthenticateSession.Result)
        case rejected(old: Int64, new: Int64)
    }

    public var credentialID: String
    public var newCount: Int64
    /// `reject` or `warn`.
    public var counterPolicy: String
    public var reauthentication: ReauthenticateSession

    public init(credentialID: String, newCount: Int64, counterPolicy: String, reauthentication: ReauthenticateSession) {
        self.credentialID = credentialID
        self.newCount = newCount
        self.counterPolicy = counterPolicy
        self.reauthentication = reauthentication
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        let record = try PasskeyCounter.passkey(credentialID, of: reauthentication.userID, in: context)
        if let rejected = try PasskeyCounter.apply(
            credentialID: credentialID, record: record, newCount: newCount, policy: counterPolicy, request: reauthentication.request,
            in: &context)
        {
            return .rejected(old: rejected.old, new: rejected.new)
        }
        return .reauthenticated(try reauthentication.run(&context))
    }
}
