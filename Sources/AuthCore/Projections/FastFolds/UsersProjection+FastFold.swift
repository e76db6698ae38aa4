import EventLog
import ProjectionRebuild

/// The rebuild's fast path of ``UsersProjection`` (its `apply` is the specification): `user.registered` of the
/// current version with its fields read in place (the sealed address and its keyed hash copied as they are); older
/// versions (upcast), the password, email-change and deletion events are left to `apply`.
extension UsersProjection: FastFold {
    public func fold(_ event: FoldEvent, into tables: FoldTables) throws -> Bool {
        guard event.type == UserRegistered.type, event.version == UserRegistered.version else { return false }
        try UserRegistered.withFieldsInPlace(event) { fields in
            let userID = try fields.text("user_id")
            let emailHash = Array(try fields.byteString("email_hash"))
            let record = UserRecord(
                emailHash: emailHash, sealedEmail: Array(try fields.byteString("email")),
                passwordHash: String(decoding: try fields.text("password_hash"), as: UTF8.self), createdAt: event.timestamp)
            tables.table(self, "by_id").put(userID, record.bytes)
            tables.table(self, "by_email").put(emailHash, userID)
        }
        return true
    }
}
