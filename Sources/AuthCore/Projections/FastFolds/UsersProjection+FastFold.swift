import EventLog
import ProjectionRebuild

/// The rebuild's fast path of ``UsersProjection`` (its `apply` is the specification): `user.registered` of the
/// current version with its fields read in place; older versions (upcast) and the password events are left to
/// `apply`.
extension UsersProjection: FastFold {
    public func fold(_ event: RecordedEvent, into tables: FoldTables) throws -> Bool {
        guard event.type == UserRegistered.type, event.version == UserRegistered.version else { return false }
        try UserRegistered.withFieldsInPlace(event) { fields in
            let userID = try fields.text("user_id"), email = try fields.text("email")
            let passwordHash = try fields.text("password_hash")
            tables.table(self, "by_id").put(userID, UserRecord.encode(email: email, passwordHash: passwordHash, createdAt: event.timestamp))
            tables.table(self, "by_email").put(email, userID)
        }
        return true
    }
}
