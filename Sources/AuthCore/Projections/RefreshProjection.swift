import EventLog

/// Refresh-token families and their tokens (by hash): which token is current, which were used and when.
///
/// v2 stores ``FamilyRecord`` and ``RefreshTokenRecord`` in a fixed binary layout instead of CBOR maps, and folds
/// rotations in place: the family's current hash is patched where it lies, and event fields are read as bytes.
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
            // Fields in place (no reference counted on the event's bytes per field): about a million per rebuild.
            try RefreshFamilyStarted.withFieldsInPlace(event) { fields in
                let familyID = try fields.text("family_id")
                let sessionID = try fields.text("session_id")
                let userID = try fields.text("user_id")
                let tokenHash = try fields.byteString("token_hash")
                let expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
                try families.put(familyID, FamilyRecord.encode(
                    sessionID: sessionID, userID: userID, currentHash: tokenHash, expiresAt: expiresAt, revokedReason: nil))
                try RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: nil, usedSeq: nil) { try tokens.put(tokenHash, $0) }
            }
        case RefreshRotated.type:
            // Fields in place (no reference counted on the event's bytes per field): millions per rebuild.
            try RefreshRotated.withFieldsInPlace(event) { fields in
                // Read in the order they are stored (one pass over the payload).
                let familyID = try fields.text("family_id")
                // The family is patched last: in a rebuild its lookup starts loading now, while the tokens are written.
                families.prefetch(familyID)
                let parentHash = try fields.byteString("parent_hash")
                let childHash = try fields.byteString("child_hash")
                if try !fields.bool("grace") {
                    try RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: event.timestamp, usedSeq: event.seq) {
                        try tokens.put(parentHash, $0)
                    }
                }
                try RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: nil, usedSeq: nil) { try tokens.put(childHash, $0) }
                let patched = try families.update(familyID) { record -> Bool in
                    var reader = try BinaryRecordReader(UnsafeRawBufferPointer(record), layout: FamilyRecord.layout)
                    _ = try reader.int64()
                    let current = try reader.requiredRange()
                    guard current.count == childHash.count else { return false }
                    UnsafeMutableRawBufferPointer(rebasing: record[current]).copyMemory(from: childHash)
                    return true
                }
                if patched == false, var family = try families.record(FamilyRecord.self, familyID) {
                    family.currentHash = [UInt8](childHash)
                    try families.put(familyID, record: family)
                }
            }
        case RefreshFamilyRevoked.type:
            try RefreshFamilyRevoked.withFieldsInPlace(event) { fields in
                let familyID = try fields.text("family_id")
                let reason = try fields.text("reason")
                guard let record = try families.read(familyID, { try FamilyRecord.settingRevokedReason(reason, in: $0) }) else { return }
                try families.put(familyID, record)
            }
        default:
            break
        }
    }
}
