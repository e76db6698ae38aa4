import EventLog
import ProjectionRebuild

extension DomainEvent {
    /// Calls `body` with a cursor over the payload fields of `event` in place (``FoldEvent/withFieldsInPlace(_:)``:
    /// no reference counted on the stored bytes), which the fast folds use in rebuilds. Only the current version is
    /// read this way: it throws for any other (a fast fold leaves older versions to `apply`, which upcasts them).
    ///
    /// In debug builds (the tests) the cursor also checks each key read against ``payloadFields``: declared, of the
    /// kind read, and required (``PayloadFieldCursor/declaredFields``). Release builds skip the check.
    static func withFieldsInPlace<R>(_ event: FoldEvent, _ body: (inout PayloadFieldCursor) throws -> R) throws -> R {
        try requireCurrentVersion(event)
        #if DEBUG
        let declared = payloadFields.map(\.descriptor)
        return try event.withFieldsInPlace { cursor in
            cursor.declaredFields = declared
            return try body(&cursor)
        }
        #else
        return try event.withFieldsInPlace(body)
        #endif
    }

    /// Throws unless `event` is of this type, in the current version (the only one the in-place readers read).
    private static func requireCurrentVersion(_ event: FoldEvent) throws {
        guard event.type == type, event.version == version else { throw EventDecodingError.unknownType(event.type, event.version) }
    }
}
