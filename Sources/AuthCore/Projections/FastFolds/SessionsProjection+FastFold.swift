import EventLog
import ProjectionRebuild

/// The rebuild's fast path of ``SessionsProjection`` (its `apply` is the specification): the frequent events
/// (`session.created`, `session.extended`, `session.revoked`, `refresh.family_started`) are folded with their fields
/// read in place and `session.extended` patching the last-seen time (and the token check's idle deadline) where
/// they lie. `by_token` and `by_user` are derived from the final `by_id` records after the fold, which skips two of
/// the three writes of `session.created` and `session.revoked` and one of the two of `session.extended`; in a
/// catch-up (the tables no longer deferred) they are kept here as `apply` keeps them. Other events are left to
/// `apply`.
extension SessionsProjection: FastFold {
    public var derivedTables: [DerivedTable] { [
        DerivedTable("by_token", from: "by_id") { sessionID, record in
            let fields = try SessionRecord.Fields(record)
            let idleExpiresAt = Timestamp(microseconds: fields.fixed.lastSeenAt).adding(seconds: fields.fixed.idleTimeout)
            return ([UInt8](UnsafeRawBufferPointer(rebasing: record[fields.tokenHash])), SessionCheck.encode(
                sessionID: sessionID, expiresAt: Timestamp(microseconds: fields.fixed.expiresAt), idleExpiresAt: idleExpiresAt))
        },
        DerivedTable("by_user", from: "by_id") { sessionID, record in
            let fields = try SessionRecord.Fields(record)
            return (Key.pair(UnsafeRawBufferPointer(rebasing: record[fields.userID]), sessionID), [])
        },
    ] }

    public func fold(_ event: FoldEvent, into tables: FoldTables) throws -> Bool {
        let byID = tables.table(self, "by_id")
        switch event.type {
        case SessionCreated.type where event.version == SessionCreated.version:
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
                let byToken = tables.table(self, "by_token"), byUser = tables.table(self, "by_user")
                if !byToken.isDeferred {
                    try removeIndexEntries(of: sessionID, byID: byID, byToken: byToken, byUser: byUser)
                    if byToken.read(tokenHash, { _ in true }) != nil { throw EventStoreError.derivedKeyTaken(table: byToken.name) }
                }
                byID.put(sessionID, SessionRecord.encode(
                    userID: userID, tokenHash: tokenHash, aal: aal, mode: mode, createdAt: event.timestamp,
                    lastSeenAt: event.timestamp, expiresAt: expiresAt, idleTimeout: idleTimeout, clientIP: request.clientIP,
                    userAgent: request.userAgent, familyID: nil, aal2At: aal2At), reserving: SessionRecord.familyIDRoom)
                guard !byToken.isDeferred else { return }
                byToken.put(tokenHash, SessionCheck.encode(
                    sessionID: sessionID, expiresAt: expiresAt, idleExpiresAt: event.timestamp.adding(seconds: idleTimeout)))
                byUser.put(Key.pair(userID, sessionID), [UInt8]())
            }
        case SessionExtended.type where event.version == SessionExtended.version:
            try SessionExtended.withFieldsInPlace(event) { fields in
                let sessionID = try fields.text("session_id")
                let lastSeenAt = try fields.int("last_seen_at")
                let byToken = tables.table(self, "by_token")
                if byToken.isDeferred {
                    _ = byID.update(sessionID) { record in record.storeInt64(lastSeenAt, at: SessionRecord.lastSeenOffset) }
                    return
                }
                // Patch the last-seen time in place; keep what the token check needs.
                guard let (tokenHash, expiresAt, idleExpiresAt) = try byID.update(sessionID, { record in
                    let fields = try SessionRecord.Fields(UnsafeRawBufferPointer(record))
                    record.storeInt64(lastSeenAt, at: SessionRecord.lastSeenOffset)
                    let idleExpiresAt = Timestamp(microseconds: lastSeenAt).adding(seconds: fields.fixed.idleTimeout)
                    return ([UInt8](UnsafeRawBufferPointer(rebasing: record[fields.tokenHash])), fields.fixed.expiresAt, idleExpiresAt)
                }) else { return }
                let patched = byToken.update(tokenHash) { check -> Bool in
                    check.storeBigEndian(idleExpiresAt.microseconds, at: 8)
                    return true
                }
                if patched == nil {
                    byToken.put(tokenHash, SessionCheck.encode(
                        sessionID: sessionID, expiresAt: Timestamp(microseconds: expiresAt), idleExpiresAt: idleExpiresAt))
                }
            }
        case SessionRevoked.type where event.version == SessionRevoked.version:
            try SessionRevoked.withFieldsInPlace(event) { fields in
                let sessionID = try fields.text("session_id")
                let byToken = tables.table(self, "by_token")
                if !byToken.isDeferred {
                    try removeIndexEntries(of: sessionID, byID: byID, byToken: byToken, byUser: tables.table(self, "by_user"))
                }
                byID.delete(sessionID)
            }
        case RefreshFamilyStarted.type where event.version == RefreshFamilyStarted.version:
            try RefreshFamilyStarted.withFieldsInPlace(event) { fields in
                let familyID = try fields.text("family_id")
                let sessionID = try fields.text("session_id")
                guard let record = try byID.read(sessionID, { try SessionRecord.settingFamily(familyID, in: $0) }) else { return }
                byID.put(sessionID, record)
            }
        default:
            return false
        }
        return true
    }

    /// Deletes the `by_token` and `by_user` entries of session `sessionID`, if it exists.
    private func removeIndexEntries(
        of sessionID: UnsafeRawBufferPointer, byID: FoldTable, byToken: FoldTable, byUser: FoldTable
    ) throws {
        guard let (tokenHash, userID) = try byID.read(sessionID, { record in
            let fields = try SessionRecord.Fields(record)
            return ([UInt8](UnsafeRawBufferPointer(rebasing: record[fields.tokenHash])),
                    [UInt8](UnsafeRawBufferPointer(rebasing: record[fields.userID])))
        }) else { return }
        byToken.delete(tokenHash)
        byUser.delete(Key.pair(userID[...], sessionID))
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

extension UnsafeMutableRawBufferPointer {
    /// Stores a 64-bit integer big-endian at `offset` (``SessionCheck``'s deadlines).
    @inline(__always)
    func storeBigEndian(_ value: Int64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int64.self)
    }
}
