import EventLog

/// Refresh-token families and their tokens (by hash): which token is current, which were used and when.
///
/// v2 stores ``FamilyRecord`` and ``RefreshTokenRecord`` in a fixed binary layout instead of CBOR maps. A rebuild
/// folds these events in place (`RefreshProjection+FastFold.swift`).
public struct RefreshProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "refresh"
    public let version = 2
    public let tables = ["families", "tokens"]
    public var eventTypes: Set<String>? { [RefreshFamilyStarted.type, RefreshRotated.type, RefreshFamilyRevoked.type] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let families = state.table(self, "families")
        let tokens = state.table(self, "tokens")
        switch event.type {
        case RefreshFamilyStarted.type:
            let e = try RefreshFamilyStarted(event)
            try families.put(Key.of(e.familyID), record: FamilyRecord(
                sessionID: e.sessionID, userID: e.userID, currentHash: e.tokenHash, expiresAt: e.expiresAt, revokedReason: nil))
            try tokens.put(e.tokenHash, record: RefreshTokenRecord(familyID: e.familyID, usedAt: nil, usedSeq: nil))
        case RefreshRotated.type:
            let e = try RefreshRotated(event)
            if !e.grace {
                try tokens.put(e.parentHash, record: RefreshTokenRecord(familyID: e.familyID, usedAt: event.timestamp, usedSeq: event.seq))
            }
            try tokens.put(e.childHash, record: RefreshTokenRecord(familyID: e.familyID, usedAt: nil, usedSeq: nil))
            guard var family = try families.record(FamilyRecord.self, Key.of(e.familyID)) else { return }
            family.currentHash = e.childHash
            try families.put(Key.of(e.familyID), record: family)
        case RefreshFamilyRevoked.type:
            let e = try RefreshFamilyRevoked(event)
            guard var family = try families.record(FamilyRecord.self, Key.of(e.familyID)) else { return }
            family.revokedReason = e.reason
            try families.put(Key.of(e.familyID), record: family)
        default:
            break
        }
    }
}
