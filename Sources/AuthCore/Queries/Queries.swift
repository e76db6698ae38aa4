import EventLog

/// Read-side lookups over the projections, in a snapshot (`store.read { ... }`). None of them writes.
public struct Queries {
    let context: ReadContext
    /// Opens personal data and hashes emails for lookups; without it, emails are looked up as plaintext (only users
    /// registered before sealing have such entries) and sealed data shows as ``PersonalDataVault/sealed``.
    let vault: PersonalDataVault?

    /// Queries in `context`, opening personal data with `vault`.
    public init(_ context: ReadContext, vault: PersonalDataVault? = nil) {
        self.context = context
        self.vault = vault
    }

    /// An active session with its id.
    public struct ActiveSession: Sendable, Equatable {
        public var id: String
        public var record: SessionRecord
    }

    /// The session whose token hashes to `tokenHash`, if it is active at `now`.
    public func session(tokenHash: [UInt8], at now: Timestamp) throws -> ActiveSession? {
        guard let check = try sessionCheck(tokenHash: tokenHash, at: now) else { return nil }
        return try session(id: check.sessionID, at: now)
    }

    /// The cheap check of a session token: one point read of a fixed-layout value, no record decoding.
    /// `handle` is the store's `sessions/by_token` table handle, or nil to resolve it here.
    public func sessionCheck(tokenHash: [UInt8], at now: Timestamp, handle: TableHandle? = nil) throws -> SessionCheck? {
        let value: [UInt8]?
        if let handle {
            value = try context.get(handle, tokenHash)
        } else {
            value = try context.state.table(SessionsProjection(), "by_token").get(tokenHash)
        }
        guard let value, let check = SessionCheck(bytes: value), check.isActive(at: now) else { return nil }
        return check
    }

    /// The session `sessionID`, if it is active at `now`. `handle` is the store's `sessions/by_id` table handle, or nil
    /// to resolve it here.
    public func session(id sessionID: String, at now: Timestamp, handle: TableHandle? = nil) throws -> ActiveSession? {
        let stored: [UInt8]?
        if let handle {
            stored = try context.get(handle, Key.of(sessionID))
        } else {
            stored = try context.state.table(SessionsProjection(), "by_id").get(Key.of(sessionID))
        }
        guard let stored else { return nil }
        let record = try SessionRecord(bytes: stored)
        guard record.isActive(at: now) else { return nil }
        return ActiveSession(id: sessionID, record: record)
    }

    /// When session `sessionID` last proved its holder (login, step-up or re-authentication), if known
    /// (``SessionAuthProjection``).
    public func lastAuthenticated(sessionID: String) throws -> Timestamp? {
        try context.state.table(SessionAuthProjection(), "by_session").get(Key.of(sessionID)).flatMap(SessionAuthProjection.decode)
    }

    /// The active sessions of `userID`, newest first.
    public func sessions(ofUser userID: String, at now: Timestamp) throws -> [ActiveSession] {
        var prefix = Array(userID.utf8)
        prefix.append(0)
        var ids: [String] = []
        try context.scan(context.state.table(SessionsProjection(), "by_user"), prefix: prefix) { key, _ in
            ids.append(String(decoding: key[prefix.count...], as: UTF8.self))
            return true
        }
        return try ids.compactMap { try session(id: $0, at: now) }.sorted { $0.record.createdAt > $1.record.createdAt }
    }

    /// A user found by normalised email.
    public struct FoundUser: Sendable, Equatable {
        public var id: String
        public var record: UserRecord
        /// The address, opened with the user's key (or ``PersonalDataVault/erased`` / ``PersonalDataVault/sealed``).
        public var email: String
    }

    /// The user registered with the normalised `email`, found through its keyed hash.
    public func user(email: String) throws -> FoundUser? {
        let key = vault.map { $0.emailHash(email) } ?? Key.of(email)
        guard let id = try context.state.table(UsersProjection(), "by_email").get(key) else { return nil }
        return try user(id: String(decoding: id, as: UTF8.self))
    }

    /// The user `userID`.
    public func user(id userID: String) throws -> FoundUser? {
        guard let record = try context.state.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of(userID)) else { return nil }
        return FoundUser(id: userID, record: record, email: try email(of: record, userID: userID))
    }

    /// The key state of `userID`'s data key (nil without a vault).
    public func keyState(userID: String) throws -> PersonalDataVault.KeyState? {
        try vault?.keyState(userID: userID, in: context)
    }

    /// The address of the user `userID` whose record is `record`, opened with the user's key.
    public func email(of record: UserRecord, userID: String) throws -> String {
        if let plaintext = record.plaintextEmail { return plaintext }
        return Self.open(record.sealedEmail, field: .email, userID: userID, key: try keyState(userID: userID))
    }

    /// The client IP and user agent a session was created from, opened with its user's key.
    public func origin(of session: SessionRecord) throws -> (clientIP: String?, userAgent: String?) {
        let sealed = [session.clientIP, session.userAgent].contains { $0.map(PersonalDataVault.isSealed) ?? false }
        guard sealed else { return (session.clientIP, session.userAgent) }
        let key = try keyState(userID: session.userID)
        return (
            session.clientIP.map { PersonalDataVault.reveal($0, field: .clientIP, userID: session.userID, key: key) },
            session.userAgent.map { PersonalDataVault.reveal($0, field: .userAgent, userID: session.userID, key: key) }
        )
    }

    /// The request of `event` with its client IP and user agent opened with the key of the user whose stream the
    /// event is in (``PersonalDataVault/erased`` once that key is destroyed).
    public func request(of event: RecordedEvent) throws -> RequestInfo {
        var request = event.request
        let sealed = [request.clientIP, request.userAgent].contains { $0.map(PersonalDataVault.isSealed) ?? false }
        guard sealed else { return request }
        let userID = event.streams.first { $0.kind == .user }?.id
        let key = try userID.flatMap { try keyState(userID: $0) }
        request.clientIP = request.clientIP.map { PersonalDataVault.reveal($0, field: .clientIP, userID: userID, key: key) }
        request.userAgent = request.userAgent.map { PersonalDataVault.reveal($0, field: .userAgent, userID: userID, key: key) }
        return request
    }

    /// The payload fields of `event` that hold personal data sealed under its user's key
    /// (``PersonalDataVault/sealedPayloadFields``), opened: the plaintext, ``PersonalDataVault/erased`` once the key
    /// is destroyed, ``PersonalDataVault/sealed`` without a vault.
    public func sealedPayloadText(of event: RecordedEvent) throws -> [String: String] {
        guard let userID = event.streams.first(where: { $0.kind == .user })?.id else { return [:] }
        let fields = try event.fields()
        let present = PersonalDataVault.sealedPayloadFields.filter { fields.has($0.name) }
        guard !present.isEmpty else { return [:] }
        let key = try keyState(userID: userID)
        var out: [String: String] = [:]
        for entry in present {
            guard let sealed = try? fields.bytes(entry.name), !sealed.isEmpty else { continue }
            out[entry.name] = Self.open(sealed, field: entry.field, userID: userID, key: key)
        }
        return out
    }

    /// A payload value sealed for `field` under the key of `userID` in state `key`, opened (or the reader's marker).
    static func open(_ sealed: [UInt8], field: PersonalDataVault.Field, userID: String, key: PersonalDataVault.KeyState?) -> String {
        switch key {
        case .key(let userKey)?: return PersonalDataVault.open(sealed, field: field, userID: userID, key: userKey) ?? PersonalDataVault.erased
        case .destroyed?, .none?: return PersonalDataVault.erased
        case nil: return PersonalDataVault.sealed
        }
    }

    /// An envelope or record text field (client IP, user agent) of `userID`, opened if sealed
    /// (``PersonalDataVault/reveal(_:field:userID:key:)``).
    public func reveal(_ text: String?, field: PersonalDataVault.Field, userID: String?) throws -> String? {
        guard let text else { return nil }
        guard PersonalDataVault.isSealed(text) else { return text }
        return PersonalDataVault.reveal(text, field: field, userID: userID, key: try userID.flatMap { try keyState(userID: $0) })
    }

    /// A public signing key from the log.
    public struct PublishedKey: Sendable, Equatable {
        public var kid: String
        public var record: SigningKeyRecord
    }

    /// The current signing key's kid.
    public func currentSigningKeyID() throws -> String? {
        try context.state.table(SigningKeysProjection(), "current").get(SigningKeysProjection.currentKey).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// Every signing key ever recorded, oldest first.
    public func signingKeys() throws -> [PublishedKey] {
        let keys = try context.state.table(SigningKeysProjection(), "by_kid").entries(prefix: []).map {
            PublishedKey(kid: String(decoding: $0.key, as: UTF8.self), record: try SigningKeyRecord(bytes: $0.value))
        }
        return keys.sorted { ($0.record.createdAt, $0.kid) < ($1.record.createdAt, $1.kid) }
    }

    /// The keys to publish at `now`: the current one, and any other key that was current less than `overlap`
    /// seconds ago (so tokens it signed still verify until they expire, and caches see a new key early).
    public func publishedSigningKeys(at now: Timestamp, overlap: Int64) throws -> [PublishedKey] {
        let all = try signingKeys()
        guard let current = try currentSigningKeyID() else { return [] }
        var out: [PublishedKey] = []
        for (index, key) in all.enumerated() {
            if key.kid == current {
                out.append(key)
                continue
            }
            // A key stopped being current when the next one was recorded.
            let retiredAt = index + 1 < all.count ? all[index + 1].record.createdAt : key.record.createdAt
            if now < retiredAt.adding(seconds: overlap) { out.append(key) }
        }
        return out.sorted { $0.kid == current && $1.kid != current }
    }

    /// A refresh token's state, for introspection.
    public struct RefreshTokenState: Sendable, Equatable {
        public var familyID: String
        public var family: FamilyRecord
        public var token: RefreshTokenRecord
    }

    /// The refresh token with hash `tokenHash`, if it is unused, its family live and its session active at `now`.
    public func activeRefreshToken(hash tokenHash: [UInt8], at now: Timestamp) throws -> (RefreshTokenState, ActiveSession)? {
        let state = context.state
        guard let token = try state.table(RefreshProjection(), "tokens").record(RefreshTokenRecord.self, tokenHash), token.usedAt == nil,
            let family = try state.table(RefreshProjection(), "families").record(FamilyRecord.self, Key.of(token.familyID)),
            family.revokedReason == nil, now < family.expiresAt,
            let session = try session(id: family.sessionID, at: now)
        else { return nil }
        return (RefreshTokenState(familyID: token.familyID, family: family, token: token), session)
    }

    /// The family `familyID`.
    public func family(_ familyID: String) throws -> FamilyRecord? {
        try context.state.table(RefreshProjection(), "families").record(FamilyRecord.self, Key.of(familyID))
    }
}

extension EventStore {
    /// Runs `body` with ``Queries`` in a read snapshot.
    public func query<R>(_ body: (Queries) throws -> R) throws -> R {
        let vault = PersonalDataVault.installed(on: self)
        return try read { try body(Queries($0, vault: vault)) }
    }
}

extension Queries {
    /// A passkey with its credential id (base64url).
    public struct FoundPasskey: Sendable, Equatable {
        public var id: String
        public var record: PasskeyRecord
    }

    /// The passkey with credential id `credentialID` (base64url).
    public func passkey(id credentialID: String) throws -> FoundPasskey? {
        try context.state.table(PasskeysProjection(), "by_id").record(PasskeyRecord.self, PasskeysProjection.idKey(credentialID))
            .map { FoundPasskey(id: credentialID, record: $0) }
    }

    /// The passkeys of `userID`, oldest first.
    public func passkeys(ofUser userID: String) throws -> [FoundPasskey] {
        var prefix = Array(userID.utf8)
        prefix.append(0)
        var ids: [String] = []
        try context.scan(context.state.table(PasskeysProjection(), "by_user"), prefix: prefix) { _, value in
            ids.append(String(decoding: value, as: UTF8.self))
            return true
        }
        return try ids.compactMap { try passkey(id: $0) }.sorted { $0.record.createdAt < $1.record.createdAt }
    }
}

extension Queries {
    /// The MFA state of `userID`, if any.
    public func mfa(ofUser userID: String) throws -> MFARecord? {
        try context.state.table(MFAProjection(), "by_user").record(MFARecord.self, Key.of(userID))
    }

    /// The MFA login challenge whose token hashes to `tokenHash`, if it can still be completed at `now`.
    public func mfaChallenge(tokenHash: [UInt8], at now: Timestamp) throws -> MFAChallengeRecord? {
        guard let record = try context.state.table(MFAProjection(), "challenges").record(MFAChallengeRecord.self, tokenHash),
            record.isUsable(at: now)
        else { return nil }
        return record
    }
}
