import EventLog

/// Active sessions: by id, by token hash (for validation), and by user (for listing).
///
/// `by_token` maps SHA-256(token) to a fixed-layout ``SessionCheck`` (absolute and idle deadlines, session id), so
/// that validating a token is one point read and no record decoding (v2; v1 stored the bare session id). v3 records
/// when the session last obtained `aal2` (`aal2_at`, for step-up freshness).
public struct SessionsProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "sessions"
    public let version = 3
    public let tables = ["by_id", "by_token", "by_user"]
    public var eventTypes: Set<String>? { [
            SessionCreated.type, SessionExtended.type, SessionRevoked.type, RefreshFamilyStarted.type, SessionSteppedUp.type,
        ] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case SessionCreated.type:
            let e = try SessionCreated(event)
            let request = event.request
            let record = SessionRecord(
                userID: e.userID, tokenHash: e.tokenHash, aal: e.aal, mode: e.mode, createdAt: event.timestamp,
                lastSeenAt: event.timestamp, expiresAt: e.expiresAt, idleTimeout: e.idleTimeout,
                clientIP: request.clientIP, userAgent: request.userAgent, familyID: nil,
                aal2At: e.aal == "aal2" ? event.timestamp : nil)
            try byID.put(Key.of(e.sessionID), record: record)
            try state.table(self, "by_token").put(e.tokenHash, SessionCheck(e.sessionID, record).bytes)
            try state.table(self, "by_user").put(Key.pair(e.userID, e.sessionID), [])
        case SessionExtended.type:
            let e = try SessionExtended(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.lastSeenAt = e.lastSeenAt
            try byID.put(Key.of(e.sessionID), record: record)
            try state.table(self, "by_token").put(record.tokenHash, SessionCheck(e.sessionID, record).bytes)
        case SessionRevoked.type:
            let e = try SessionRevoked(event)
            guard let record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            try byID.delete(Key.of(e.sessionID))
            try state.table(self, "by_token").delete(record.tokenHash)
            try state.table(self, "by_user").delete(Key.pair(record.userID, e.sessionID))
        case SessionSteppedUp.type:
            let e = try SessionSteppedUp(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.aal = "aal2"
            record.aal2At = event.timestamp
            try byID.put(Key.of(e.sessionID), record: record)
        case RefreshFamilyStarted.type:
            let e = try RefreshFamilyStarted(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.familyID = e.familyID
            try byID.put(Key.of(e.sessionID), record: record)
        default:
            break
        }
    }
}

/// What token validation needs, in a fixed layout: absolute expiry and idle deadline (big-endian microseconds),
/// then the session id.
public struct SessionCheck: Sendable, Equatable {
    public var sessionID: String
    public var expiresAt: Timestamp
    public var idleExpiresAt: Timestamp

    init(_ sessionID: String, _ record: SessionRecord) {
        self.sessionID = sessionID
        expiresAt = record.expiresAt
        idleExpiresAt = record.idleExpiresAt
    }

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
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + sessionID.utf8.count)
        func append(_ value: Int64) {
            let bits = UInt64(bitPattern: value)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        append(expiresAt.microseconds)
        append(idleExpiresAt.microseconds)
        out.append(contentsOf: sessionID.utf8)
        return out
    }

    /// Whether the session is usable at `now`.
    public func isActive(at now: Timestamp) -> Bool { now < expiresAt && now < idleExpiresAt }
}
