import EventLog
import ProjectionRebuild

/// The rebuild's fast path of ``SessionAuthProjection`` (its `apply` is the specification): `session.created` and
/// `session.revoked` with the session id read in place; the other events are left to `apply`.
extension SessionAuthProjection: FastFold {
    public func fold(_ event: FoldEvent, into tables: FoldTables) throws -> Bool {
        switch event.type {
        case SessionCreated.type where event.version == SessionCreated.version:
            let table = tables.table(self, "by_session")
            try SessionCreated.withFieldsInPlace(event) { fields in table.put(try fields.text("session_id"), Self.encode(event.timestamp)) }
        case SessionRevoked.type where event.version == SessionRevoked.version:
            let table = tables.table(self, "by_session")
            _ = try SessionRevoked.withFieldsInPlace(event) { fields in table.delete(try fields.text("session_id")) }
        default:
            return false
        }
        return true
    }
}
