/// Stored event bytes in memory this object allocates itself and frees in `deinit`: their address is valid for as
/// long as the object lives, by construction (unlike an array's, which is valid only inside
/// `withUnsafeBufferPointer`). It holds one stored value, or (rebuilds) the stored values of a whole batch of
/// events, which the ``RecordedEvent``s of that batch share.
///
/// Bytes are appended only while the filler holds the sole reference (a rebuild's reader, before any event refers
/// to the storage; it reuses a batch's storage only once `isKnownUniquelyReferenced` says its events are gone); once
/// shared, they are never changed.
///
/// A rebuild's fold, which holds one read transaction throughout, may instead borrow the bytes where LMDB's map holds
/// them (``init(borrowing:)``): the storage then neither copies nor frees them, and its events must not outlive that
/// transaction.
// @unchecked Sendable: its bytes are written only while it is uniquely referenced, and are immutable once shared.
package final class EventBytes: @unchecked Sendable {
    /// The allocation's address: fixed for the object's life.
    package let base: UnsafeMutablePointer<UInt8>
    package let capacity: Int
    /// Bytes filled, from `base`.
    private(set) var count = 0
    /// Whether this object allocated `base` (and frees it); false for borrowed bytes.
    private let owned: Bool

    /// Empty storage with room for `capacity` bytes.
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
        owned = true
    }

    /// Storage over `bytes` in place, filled and never written: the caller keeps them valid and unchanged for as
    /// long as this object or any event over it lives (a rebuild's fold: a read transaction's view of the log).
    package init(borrowing bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count > 0 && bytes.baseAddress != nil, "EventBytes borrows no bytes")
        base = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        capacity = bytes.count
        count = bytes.count
        owned = false
    }

    /// Storage holding a copy of `bytes`.
    package convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(capacity: bytes.count)
        append(bytes)
    }

    /// Storage holding a copy of `bytes`.
    package convenience init(copying bytes: [UInt8]) {
        self.init(capacity: bytes.count)
        bytes.withUnsafeBytes { append($0) }
    }

    deinit { if owned { base.deallocate() } }

    /// The filled bytes (valid while this object lives).
    package var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Appends `bytes`; only while this is the sole reference.
    package func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(capacity - count >= bytes.count, "EventBytes overflow")
        write(bytes, at: count)
        count += bytes.count
    }

    /// Copies `bytes` to `offset`, which leaves room for them, without changing ``count`` (a reader filling a batch
    /// counts in a local and sets ``count`` once with ``filled(_:)``: every access to a class's stored `var` is
    /// checked for exclusivity at run time); only while this is the sole reference.
    @inline(__always)
    package func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && capacity - offset >= bytes.count, "EventBytes overflow")
        if let source = bytes.baseAddress, bytes.count > 0 {
            UnsafeMutableRawPointer(base + offset).copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// Sets ``count`` to `count` bytes written (``write(_:at:)``); only while this is the sole reference.
    package func filled(_ count: Int) {
        precondition(count >= 0 && count <= capacity)
        self.count = count
    }

    /// A storage with room for at least `capacity` bytes holding a copy of the first `count` bytes of these.
    package func grown(to capacity: Int, keeping count: Int) -> EventBytes {
        let grown = EventBytes(capacity: Swift.max(capacity, 2 * self.capacity))
        grown.write(UnsafeRawBufferPointer(start: base, count: count), at: 0)
        return grown
    }
}
