import EventLog

/// Active sessions: by id, by token hash (for validation), and by user (for listing).
///
/// `by_token` maps SHA-256(token) to a fixed-layout ``SessionCheck`` (absolute and idle deadlines, session id), so
/// that validating a token is one point read and no record decoding (v2; v1 stored the bare session id). v3 records
/// when the session last obtained `aal2` (`aal2_at`, for step-up freshness). v4 stores ``SessionRecord`` in a fixed
/// binary layout instead of a CBOR map, and folds the frequent events in place: `session.extended` patches the
/// last-seen time and the idle deadline where they lie, and event fields are read as bytes, not `String`s.
public struct SessionsProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "sessions"
    public let version = 4
    public let tables = ["by_id", "by_token", "by_user"]
    public var eventTypes: Set<String>? { [
            SessionCreated.type, SessionExtended.type, SessionRevoked.type, RefreshFamilyStarted.type, SessionSteppedUp.type,
            SessionTokenRotated.type,
        ] }

    /// `by_token` and `by_user` are secondary indexes of `by_id`: a rebuild folds only `by_id` and derives them
    /// from its final records, which skips two of the three writes of `session.created` and `session.revoked` and
    /// one of the two of `session.extended`.
    public var derivedTables: [DerivedTable] { [
        DerivedTable("by_token", from: "by_id") { sessionID, record in
            let fields = try SessionRecord.Fields(record)
            let idleExpiresAt = Timestamp(microseconds: fields.fixed.lastSeenAt).adding(seconds: fields.fixed.idleTimeout)
            return ([UInt8](UnsafeRawBufferPointer(rebasing: record[fields.tokenHash])), SessionCheck.encode(
                sessionID: ArraySlice(sessionID), expiresAt: Timestamp(microseconds: fields.fixed.expiresAt), idleExpiresAt: idleExpiresAt))
        },
        DerivedTable("by_user", from: "by_id") { sessionID, record in
            let fields = try SessionRecord.Fields(record)
            return (Key.pair(ArraySlice(record[fields.userID]), ArraySlice(sessionID)), [])
        },
    ] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case SessionCreated.type:
            // Fields in place (no reference counted on the event's bytes per field): about a million per rebuild.
            try SessionCreated.withFieldsInPlace(event) { fields in
                let sessionID = try fields.text("session_id")
                let userID = try fields.text("user_id")
                let tokenHash = try fields.byteString("token_hash")
                let aal = try fields.text("aal")
                let mode = try fields.text("mode")
                let expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
                let idleTimeout = try fields.int("idle_timeout")
                let request = fields.requestClient
                let aal2At = aal.elementsEqual("aal2".utf8) ? event.timestamp : nil
                let byToken = state.table(self, "by_token"), byUser = state.table(self, "by_user")
                if !byToken.isDeferred {
                    // A session id used again (never, from our commands) replaces the session: drop its old index
                    // entries, as deriving the indexes from `by_id` would.
                    try removeIndexEntries(of: sessionID, byID: byID, byToken: byToken, byUser: byUser)
                    // A token hash is one session's (two equal SHA-256 outputs of random tokens never occur):
                    // `by_token` stays a function of `by_id`, which is what lets a rebuild derive it.
                    if try byToken.read(tokenHash, { _ in true }) != nil { throw EventStoreError.derivedKeyTaken(table: byToken.name) }
                }
                try byID.put(sessionID, SessionRecord.encode(
                    userID: userID, tokenHash: tokenHash, aal: aal, mode: mode, createdAt: event.timestamp,
                    lastSeenAt: event.timestamp, expiresAt: expiresAt, idleTimeout: idleTimeout, clientIP: request.clientIP,
                    userAgent: request.userAgent, familyID: nil, aal2At: aal2At), reserving: SessionRecord.familyIDRoom)
                guard !byToken.isDeferred else { return }
                try byToken.put(tokenHash, SessionCheck.encode(
                    sessionID: sessionID, expiresAt: expiresAt, idleExpiresAt: event.timestamp.adding(seconds: idleTimeout)))
                try byUser.put(Key.pair(userID, sessionID), [UInt8]())
            }
        case SessionExtended.type:
            // Fields in place (no reference counted on the event's bytes per field): millions per rebuild.
            try SessionExtended.withFieldsInPlace(event) { fields in
                let sessionID = try fields.text("session_id")
                let lastSeenAt = try fields.int("last_seen_at")
                let byToken = state.table(self, "by_token")
                if byToken.isDeferred {
                    _ = try byID.update(sessionID) { record in record.storeInt64(lastSeenAt, at: SessionRecord.lastSeenOffset) }
                    return
                }
                // Patch the last-seen time in place; keep what the token check needs.
                guard let (tokenHash, expiresAt, idleExpiresAt) = try byID.update(sessionID, { record in
                    let fields = try SessionRecord.Fields(UnsafeRawBufferPointer(record))
                    record.storeInt64(lastSeenAt, at: SessionRecord.lastSeenOffset)
                    let idleExpiresAt = Timestamp(microseconds: lastSeenAt).adding(seconds: fields.fixed.idleTimeout)
                    return ([UInt8](UnsafeRawBufferPointer(rebasing: record[fields.tokenHash])), fields.fixed.expiresAt, idleExpiresAt)
                }) else { return }
                let patched = try byToken.update(tokenHash) { check -> Bool in
                    check.storeBigEndian(idleExpiresAt.microseconds, at: 8)
                    return true
                }
                if patched == nil {
                    try byToken.put(tokenHash, SessionCheck.encode(
                        sessionID: sessionID, expiresAt: Timestamp(microseconds: expiresAt), idleExpiresAt: idleExpiresAt))
                }
            }
        case SessionRevoked.type:
            try SessionRevoked.withFieldsInPlace(event) { fields in
                let sessionID = try fields.text("session_id")
                let byToken = state.table(self, "by_token")
                if !byToken.isDeferred {
                    try removeIndexEntries(of: sessionID, byID: byID, byToken: byToken, byUser: state.table(self, "by_user"))
                }
                _ = try byID.delete(sessionID)
            }
        case SessionSteppedUp.type:
            let e = try SessionSteppedUp(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.aal = "aal2"
            record.aal2At = event.timestamp
            try byID.put(Key.of(e.sessionID), record: record)
        case SessionTokenRotated.type:
            let e = try SessionTokenRotated(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            let byToken = state.table(self, "by_token")
            if !byToken.isDeferred {
                _ = try byToken.delete(record.tokenHash)
                if try byToken.read(e.tokenHash, { _ in true }) != nil { throw EventStoreError.derivedKeyTaken(table: byToken.name) }
                try byToken.put(e.tokenHash, SessionCheck.encode(
                    sessionID: Array(e.sessionID.utf8), expiresAt: record.expiresAt, idleExpiresAt: record.idleExpiresAt))
            }
            record.tokenHash = e.tokenHash
            try byID.put(Key.of(e.sessionID), record: record)
        case RefreshFamilyStarted.type:
            try RefreshFamilyStarted.withFieldsInPlace(event) { fields in
                let familyID = try fields.text("family_id")
                let sessionID = try fields.text("session_id")
                guard let record = try byID.read(sessionID, { try SessionRecord.settingFamily(familyID, in: $0) }) else { return }
                try byID.put(sessionID, record)
            }
        default:
            break
        }
    }

    /// Deletes the `by_token` and `by_user` entries of session `sessionID`, if it exists.
    private func removeIndexEntries(
        of sessionID: some TableBytes & Collection<UInt8>, byID: ProjectionTable, byToken: ProjectionTable, byUser: ProjectionTable
    ) throws {
        guard let (tokenHash, userID) = try byID.read(sessionID, { record in
            let fields = try SessionRecord.Fields(record)
            return ([UInt8](UnsafeRawBufferPointer(rebasing: record[fields.tokenHash])),
                    [UInt8](UnsafeRawBufferPointer(rebasing: record[fields.userID])))
        }) else { return }
        try byToken.delete(tokenHash)
        try byUser.delete(Key.pair(userID[...], sessionID))
    }
}

extension SessionRecord {
    /// Room left in a new record for the `family_id` that `refresh.family_started` appends later (ids are
    /// `fam_` and 22 characters), so that a rebuild patches the record where it lies instead of copying it.
    static let familyIDRoom = 32

    /// `stored` with `family_id` set to `familyID`: the field is the record's last, so an absent one is replaced by
    /// appending the bytes (no decoding); a present one through a full decode.
    static func settingFamily(_ familyID: some Collection<UInt8>, in stored: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard try Fields(stored).familyID == nil else {
            var record = try SessionRecord(bytes: [UInt8](stored))
            record.familyID = String(decoding: familyID, as: UTF8.self)
            return record.bytes
        }
        // The absent marker is the record's last 4 bytes.
        return BinaryRecordWriter.replacingLastField(of: stored, from: stored.count - 4, layout: layout, with: familyID)
    }
}

/// What token validation needs, in a fixed layout: absolute expiry and idle deadline (big-endian microseconds),
/// then the session id.
public struct SessionCheck: Sendable, Equatable {
    public var sessionID: String
    public var expiresAt: Timestamp
    public var idleExpiresAt: Timestamp

    /// Decodes the stored form; nil if malformed.
    public init?(bytes: [UInt8]) {
        guard bytes.count > 16 else { return nil }
        func int(_ offset: Int) -> Int64 {
            var value: UInt64 = 0
            for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
            return Int64(bitPattern: value)
        }
        expiresAt = Timestamp(microseconds: int(0))
        idleExpiresAt = Timestamp(microseconds: int(8))
        sessionID = String(decoding: bytes[16...], as: UTF8.self)
    }

    /// The stored form.
    static func encode(sessionID: some Collection<UInt8>, expiresAt: Timestamp, idleExpiresAt: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + sessionID.count)
        withUnsafeBytes(of: expiresAt.microseconds.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: idleExpiresAt.microseconds.bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: sessionID)
        return out
    }

    /// Whether the session is usable at `now`.
    public func isActive(at now: Timestamp) -> Bool { now < expiresAt && now < idleExpiresAt }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores a 64-bit integer big-endian at `offset` (``SessionCheck``'s deadlines).
    @inline(__always)
    func storeBigEndian(_ value: Int64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int64.self)
    }
}
