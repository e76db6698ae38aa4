import EventLog
import ProjectionRebuild

/// The rebuild's fast path of ``RefreshProjection`` (its `apply` is the specification): fields are read in place,
/// token records encoded into temporary memory, and a rotation patches the family's current hash where it lies.
/// `user.deleted` (rare) is left to `apply`, which follows the user's chain of families with point lookups.
extension RefreshProjection: FastFold {
    public func fold(_ event: FoldEvent, into tables: FoldTables) throws -> Bool {
        let families = tables.table(self, "families")
        let tokens = tables.table(self, "tokens")
        switch event.type {
        case RefreshFamilyStarted.type where event.version == RefreshFamilyStarted.version:
            // Fields in place (no reference counted on the event's bytes per field): about a million per rebuild.
            try RefreshFamilyStarted.withFieldsInPlace(event) { fields in
                let familyID = try fields.text("family_id")
                let sessionID = try fields.text("session_id")
                let userID = try fields.text("user_id")
                let tokenHash = try fields.byteString("token_hash")
                let expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
                // The user's newest family so far becomes this one's previous (``RefreshProjection``'s chain).
                let byUser = tables.table(self, "by_user")
                let record = byUser.read(userID) { previous in
                    FamilyRecord.encode(
                        sessionID: sessionID, userID: userID, currentHash: tokenHash, expiresAt: expiresAt, previousFamilyID: previous,
                        revokedReason: nil)
                } ?? FamilyRecord.encode(
                    sessionID: sessionID, userID: userID, currentHash: tokenHash, expiresAt: expiresAt,
                    previousFamilyID: nil as UnsafeRawBufferPointer?, revokedReason: nil)
                families.put(familyID, record)
                byUser.put(userID, familyID)
                RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: nil, usedSeq: nil) { tokens.put(tokenHash, $0) }
            }
        case RefreshRotated.type where event.version == RefreshRotated.version:
            // Fields in place (no reference counted on the event's bytes per field): millions per rebuild.
            try RefreshRotated.withFieldsInPlace(event) { fields in
                // Read in the order they are stored (one pass over the payload).
                let familyID = try fields.text("family_id")
                // The family is patched last: in a rebuild its lookup starts loading now, while the tokens are written.
                families.prefetch(familyID)
                let parentHash = try fields.byteString("parent_hash")
                let childHash = try fields.byteString("child_hash")
                if try !fields.bool("grace") {
                    RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: event.timestamp, usedSeq: event.seq) {
                        tokens.put(parentHash, $0)
                    }
                }
                RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: nil, usedSeq: nil) { tokens.put(childHash, $0) }
                let patched = try families.update(familyID) { record -> Bool in
                    var reader = try BinaryRecordReader(UnsafeRawBufferPointer(record), layout: FamilyRecord.layout)
                    _ = try reader.int64()
                    let current = try reader.requiredRange()
                    guard current.count == childHash.count else { return false }
                    UnsafeMutableRawBufferPointer(rebasing: record[current]).copyMemory(from: childHash)
                    return true
                }
                if patched == false, let stored = families.get(familyID) {
                    var family = try FamilyRecord(bytes: stored)
                    family.currentHash = [UInt8](childHash)
                    families.put(familyID, family.bytes)
                }
            }
        case RefreshFamilyRevoked.type where event.version == RefreshFamilyRevoked.version:
            try RefreshFamilyRevoked.withFieldsInPlace(event) { fields in
                let familyID = try fields.text("family_id")
                let reason = try fields.text("reason")
                guard let record = try families.read(familyID, { try FamilyRecord.settingRevokedReason(reason, in: $0) }) else { return }
                families.put(familyID, record)
            }
        default:
            return false
        }
        return true
    }
}
