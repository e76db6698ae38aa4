import CPrefetch
import EventLog

extension RecordedEvent {
    /// Hints the CPU to load the start of the payload (and the request fields before it) into the cache: a
    /// rebuild's fold calls it a few events ahead of the one it applies, whose bytes a reader thread wrote long
    /// enough ago to have left the cache. Nothing is read or changed.
    @inline(__always)
    func prefetchPayload() {
        guard payloadStart < end else { return }
        cprefetch_read(base + payloadStart)
        cprefetch_read(base + max(actorStart, payloadStart - 64))
        if payloadStart + 64 < end { cprefetch_read(base + payloadStart + 64) }
    }

    /// Hints the CPU to load the event's streams (the envelope's field before the request and payload) into the
    /// cache: the index's thread calls it a few events ahead of the one whose streams it hashes. Nothing is read or
    /// changed.
    @inline(__always)
    func prefetchStreams() {
        cprefetch_read(base + streamsStart)
        if streamsStart + 64 < end { cprefetch_read(base + streamsStart + 64) }
        if streamsStart + 128 < end { cprefetch_read(base + streamsStart + 128) }
    }

    /// Calls `body` with a cursor over the payload's fields in place (``PayloadFieldCursor``): it, and the bytes it
    /// returns, point into this event's stored bytes and are valid only during the call. Unlike ``fields()``, this
    /// counts no reference to the stored bytes, which a rebuild's threads share. For fast folds (``FastFold``).
    public func withFieldsInPlace<R>(_ body: (inout PayloadFieldCursor) throws -> R) throws -> R {
        var cursor = try PayloadFieldCursor(storedBytes, range: payloadStart..<end, envelopeRequest: actorStart)
        return try body(&cursor)
    }
}
