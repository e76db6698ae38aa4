import EventLog

/// Active sessions: by id, by token hash (for validation), and by user (for listing).
public struct SessionsProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "sessions"
    public let version = 1
    public let tables = ["by_id", "by_token", "by_user"]
    public var eventTypes: Set<String>? { [SessionCreated.type, SessionExtended.type, SessionRevoked.type, RefreshFamilyStarted.type] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case SessionCreated.type:
            let e = try SessionCreated(event)
            let record = SessionRecord(
                userID: e.userID, tokenHash: e.tokenHash, aal: e.aal, mode: e.mode, createdAt: event.timestamp,
                lastSeenAt: event.timestamp, expiresAt: e.expiresAt, idleTimeout: e.idleTimeout,
                clientIP: event.request.clientIP, userAgent: event.request.userAgent, familyID: nil)
            try byID.put(Key.of(e.sessionID), record: record)
            try state.table(self, "by_token").put(e.tokenHash, Key.of(e.sessionID))
            try state.table(self, "by_user").put(Key.pair(e.userID, e.sessionID), [])
        case SessionExtended.type:
            let e = try SessionExtended(event)
            guard var record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            record.lastSeenAt = e.lastSeenAt
            try byID.put(Key.of(e.sessionID), record: record)
        case SessionRevoked.type:
            let e = try SessionRevoked(event)
            guard let record = try byID.record(SessionRecord.self, Key.of(e.sessionID)) else { return }
            try byID.delete(Key.of(e.sessionID))
            try state.table(self, "by_token").delete(record.tokenHash)
            try state.table(self, "by_user").delete(Key.pair(record.userID, e.sessionID))
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
