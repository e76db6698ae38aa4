import EventLog

/// An event of a rebuild's batch as a ``FastFold`` gets it: borrowed where the batch holds it, valid only during
/// ``FastFold/fold(_:into:)``.
///
/// A `RecordedEvent` passed to a fold through the existential `any FastFold` is copied out of the batch by the
/// caller, which counts a reference to the batch's storage (and releases it after the call): an atomic write to
/// an object that every fold thread shares, so its cache line travels between the cores, twice per event and
/// thread. This view is a pointer to the event in the batch: its accessors load the event's stored fields where
/// they lie, and nothing counts a reference.
public struct FoldEvent {
    @usableFromInline
    let event: UnsafePointer<RecordedEvent>

    /// A view of the event at `event`, which must stay where it is while the view is used.
    init(_ event: UnsafePointer<RecordedEvent>) { self.event = event }

    /// Calls `body` with a view of `event`, valid only during the call: for readers outside a rebuild's batches
    /// (tests of the in-place readers).
    public static func withView<R>(of event: RecordedEvent, _ body: (FoldEvent) throws -> R) rethrows -> R {
        try withUnsafePointer(to: event) { try body(FoldEvent($0)) }
    }

    /// ``RecordedEvent/seq``.
    @inlinable
    public var seq: UInt64 { event.pointee.seq }

    /// ``RecordedEvent/timestamp``.
    @inlinable
    public var timestamp: Timestamp { event.pointee.timestamp }

    /// ``RecordedEvent/type``.
    @inlinable
    public var type: String { event.pointee.type }

    /// ``RecordedEvent/version``.
    @inlinable
    public var version: Int { event.pointee.version }

    /// A copy of the event (counting a reference to the batch's storage): for the rare paths that decode it whole.
    public var recorded: RecordedEvent { event.pointee }

    /// Calls `body` with a cursor over the payload's fields in place (``PayloadFieldCursor``): it, and the bytes it
    /// returns, point into the batch's storage and are valid only during the call.
    public func withFieldsInPlace<R>(_ body: (inout PayloadFieldCursor) throws -> R) throws -> R {
        // Stored fields only: a method of the event called here would take a copy of it first.
        let end = event.pointee.end
        var cursor = try PayloadFieldCursor(
            UnsafeBufferPointer(start: event.pointee.base, count: end), range: event.pointee.payloadStart..<end,
            envelopeRequest: event.pointee.actorStart)
        return try body(&cursor)
    }

    /// Calls `body` with the UTF-8 bytes (`kind:id`) of each stream the event names, in place (as
    /// ``RecordedEvent``'s own reader, without copying the event first).
    func forEachStreamInPlace(_ body: (UnsafeRawBufferPointer) -> Void) {
        RecordedEvent.forEachStreamInPlace(
            UnsafeBufferPointer(start: event.pointee.base, count: event.pointee.end), streamsStart: event.pointee.streamsStart, body)
    }
}
