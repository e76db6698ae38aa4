import EventLog

/// Active sessions: by id, by token hash (for validation), and by user (for listing).
///
/// `by_token` maps SHA-256(token) to a fixed-layout ``SessionCheck`` (absolute and idle deadlines, session id), so
/// that validating a token is one point read and no record decoding (v2; v1 stored the bare session id). v3 records
/// when the session last obtained `aal2` (`aal2_at`, for step-up freshness). v4 stores ``SessionRecord`` in a fixed
/// binary layout instead of a CBOR map.
///
/// `by_token` and `by_user` are secondary indexes of `by_id`: each entry follows from one session record. So a
/// session id created again replaces the session (its old index entries go), and a token hash belongs to one
/// session (`session.created` or `session.token_rotated` naming a hash another session holds is refused with
/// ``EventStoreError/derivedKeyTaken(table:)``; SHA-256 outputs of random 256-bit tokens never meet). A rebuild
/// folds the frequent events in place and derives the indexes after the fold (`SessionsProjection+FastFold.swift`).
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

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id"), byToken = state.table(self, "by_token"), byUser = state.table(self, "by_user")
        switch event.type {
        case SessionCreated.type:
            let e = try SessionCreated(event)
            try removeIndexEntries(of: e.sessionID, byID: byID, byToken: byToken, byUser: byUser)
            if try byToken.contains(e.tokenHash) { throw EventStoreError.derivedKeyTaken(table: byToken.name) }
            let request = event.request
            let record = SessionRecord(
                userID: e.userID, tokenHash: e.tokenHash, aal: e.aal, mode: e.mode, createdAt: event.timestamp,
                lastSeenAt: event.timestamp, expiresAt: e.expiresAt, idleTimeout: e.idleTimeout, clientIP: request.clientIP,
                userAgent: request.userAgent, familyID: nil, aal2At: e.aal == "aal2" ? event.timestamp : nil)
            try byID.put(Key.of(e.sessionID), record: record)
            try byToken.put(e.tokenHash, SessionCheck.encode(e.sessionID, record))
            try byUser.put(Key.pair(e.userID, e.sessionID), [UInt8]())
        case SessionExtended.type:
            let e = try SessionExtended(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.lastSeenAt = e.lastSeenAt
            try byID.put(Key.of(e.sessionID), record: record)
            try byToken.put(record.tokenHash, SessionCheck.encode(e.sessionID, record))
        case SessionRevoked.type:
            let e = try SessionRevoked(event)
            try removeIndexEntries(of: e.sessionID, byID: byID, byToken: byToken, byUser: byUser)
            try byID.delete(Key.of(e.sessionID))
        case SessionSteppedUp.type:
            let e = try SessionSteppedUp(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.aal = "aal2"
            record.aal2At = event.timestamp
            try byID.put(Key.of(e.sessionID), record: record)
        case SessionTokenRotated.type:
            let e = try SessionTokenRotated(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            try byToken.delete(record.tokenHash)
            if try byToken.contains(e.tokenHash) { throw EventStoreError.derivedKeyTaken(table: byToken.name) }
            record.tokenHash = e.tokenHash
            try byID.put(Key.of(e.sessionID), record: record)
            try byToken.put(e.tokenHash, SessionCheck.encode(e.sessionID, record))
        case RefreshFamilyStarted.type:
            let e = try RefreshFamilyStarted(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.familyID = e.familyID
            try byID.put(Key.of(e.sessionID), record: record)
        default:
            break
        }
    }

    /// Deletes the `by_token` and `by_user` entries of session `sessionID`, if it exists.
    private func removeIndexEntries(
        of sessionID: String, byID: ProjectionTable, byToken: ProjectionTable, byUser: ProjectionTable
    ) throws {
        guard let record = try byID.record(SessionRecord.self, Key.of(sessionID)) else { return }
        try byToken.delete(record.tokenHash)
        try byUser.delete(Key.pair(record.userID, sessionID))
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

    /// The stored form of the check of session `sessionID`, whose record is `record`.
    static func encode(_ sessionID: String, _ record: SessionRecord) -> [UInt8] {
        encode(sessionID: sessionID.utf8, expiresAt: record.expiresAt, idleExpiresAt: record.idleExpiresAt)
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
