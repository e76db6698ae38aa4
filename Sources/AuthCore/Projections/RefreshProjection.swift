import EventLog

/// Refresh-token families and their tokens (by hash): which token is current, which were used and when.
///
/// v2 stores ``FamilyRecord`` and ``RefreshTokenRecord`` in a fixed binary layout instead of CBOR maps. A rebuild
/// folds these events in place (`RefreshProjection+FastFold.swift`).
///
/// v3 chains each user's families: `by_user` maps a user id to the id of the user's newest family, and each
/// ``FamilyRecord`` names the user's family before it (``FamilyRecord/previousFamilyID``). `user.deleted` follows
/// the chain and removes the user's families (revoked ones too) and the `by_user` entry, with point lookups only (a
/// rebuild's tables are hash maps). The token rows of those families stay: they hold a token hash, its use and a
/// family id that no row names any more, nothing of the user.
public struct RefreshProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "refresh"
    public let version = 3
    public let tables = ["families", "tokens", "by_user"]
    public var eventTypes: Set<String>? {
        [RefreshFamilyStarted.type, RefreshRotated.type, RefreshFamilyRevoked.type, UserDeleted.type]
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let families = state.table(self, "families")
        let tokens = state.table(self, "tokens")
        switch event.type {
        case RefreshFamilyStarted.type:
            let e = try RefreshFamilyStarted(event)
            let byUser = state.table(self, "by_user")
            let previous = try byUser.get(Key.of(e.userID)).map { String(decoding: $0, as: UTF8.self) }
            try families.put(Key.of(e.familyID), record: FamilyRecord(
                sessionID: e.sessionID, userID: e.userID, currentHash: e.tokenHash, expiresAt: e.expiresAt,
                previousFamilyID: previous, revokedReason: nil))
            try byUser.put(Key.of(e.userID), Key.of(e.familyID))
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
        case UserDeleted.type:
            let userID = try UserDeleted(event).userID
            let byUser = state.table(self, "by_user")
            var next = try byUser.get(Key.of(userID)).map { String(decoding: $0, as: UTF8.self) }
            _ = try byUser.delete(Key.of(userID))
            // Newest first; the chain ends at the user's first family, or at a family id started again for another
            // user (random ids never meet; generated logs' do).
            while let familyID = next, let family = try families.record(FamilyRecord.self, Key.of(familyID)), family.userID == userID {
                _ = try families.delete(Key.of(familyID))
                next = family.previousFamilyID
            }
        default:
            break
        }
    }
}
