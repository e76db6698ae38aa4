import EventLog

/// The in-memory tables of one projection in a rebuild, as a ``FastFold`` sees them (one fold thread uses them).
public final class FoldTables {
    private let memory: MemoryTables
    /// A table resolved by ``table(_:_:)``.
    private struct Resolved {
        let projection: String
        let table: String
        let resolved: FoldTable
    }

    /// The tables resolved so far, in memory of their own: a fold resolves its tables for every event, and reading
    /// an array stored in this class counted a reference to the array's buffer (and checked exclusive access)
    /// per call. Only the fold thread that owns these tables reads and writes it.
    private let resolved: UnsafeMutablePointer<Resolved>
    @exclusivity(unchecked) private var resolvedCount = 0
    /// More tables than a projection has (``table(_:_:)`` traps beyond).
    private static let capacity = 16
    /// Keeps this object's written fields off the cache lines of objects other threads write.
    private let padding = CacheLinePadding()

    init(_ memory: MemoryTables) {
        self.memory = memory
        resolved = .allocate(capacity: Self.capacity)
    }

    deinit {
        resolved.deinitialize(count: resolvedCount)
        resolved.deallocate()
    }

    /// The table `table` of `projection`.
    public func table(_ projection: some Projection, _ table: String) -> FoldTable {
        let name = projection.name
        // Table names first (they differ more often); names compared with `==` (literals: equal strings share their bits).
        for index in 0..<resolvedCount where resolved[index].table == table && resolved[index].projection == name {
            return resolved[index].resolved
        }
        precondition(resolvedCount < Self.capacity, "a projection with more than \(Self.capacity) tables")
        let made = FoldTable(Unmanaged.passUnretained(memory.store(projection.databaseName(table))))
        (resolved + resolvedCount).initialize(to: Resolved(projection: name, table: table, resolved: made))
        resolvedCount += 1
        return made
    }
}

/// Bytes a ``FoldTable`` takes as a key or a value: arrays, slices, and buffers valid during the call (fields read
/// in place, records encoded into temporary memory).
public protocol FoldBytes {
    /// Calls `body` with the bytes, in place.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: FoldBytes where Element == UInt8 {}
extension ArraySlice: FoldBytes where Element == UInt8 {}
extension UnsafeRawBufferPointer: FoldBytes {
    /// Calls `body` with the buffer itself.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(self) }
}

/// One in-memory table of a rebuild, with what a fast fold needs beyond get/put/delete: values read and patched
/// in place, room reserved for records that grow, lookups prefetched, deferred (derived) tables.
public struct FoldTable {
    /// Unretained: the rebuild's state keeps its tables alive while anything folds into them, and counting a
    /// reference per copy and per call cost the fold threads an atomic write, millions of times.
    @usableFromInline
    let table: Unmanaged<MemoryTable>

    init(_ table: Unmanaged<MemoryTable>) { self.table = table }

    /// The full database name.
    public var name: String { table._withUnsafeGuaranteedRef { $0.name } }

    /// Whether this table is deferred: a ``DerivedTable`` filled from its source once the log is folded. Writes to
    /// it are then dropped and reads find nothing, so a fold may skip the work that only feeds it.
    public var isDeferred: Bool { table._withUnsafeGuaranteedRef { $0.deferred } }

    /// The value under `key`, or nil.
    @inlinable
    public func get(_ key: some FoldBytes) -> [UInt8]? {
        key.withUnsafeBytes { key in read(raw: key) { [UInt8]($0) } }
    }

    /// Calls `body` with the value under `key` in place (valid only during the call); nil if there is none.
    @inlinable
    public func read<R>(_ key: some FoldBytes, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        try key.withUnsafeBytes { key in try read(raw: key, body) }
    }

    /// Changes the value under `key` where it lies (its length stays): `body` gets it writable; nil if there is none.
    @inlinable
    public func update<R>(_ key: some FoldBytes, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R? {
        try key.withUnsafeBytes { key in try update(raw: key, body) }
    }

    /// Hints that `key` will be looked up soon, so that work done meanwhile overlaps the cache miss. Changes nothing.
    @inlinable
    public func prefetch(_ key: some FoldBytes) {
        key.withUnsafeBytes { prefetch(raw: $0) }
    }

    /// Stores `value` under `key`, leaving room for the value to grow by `extra` bytes where it lies if the key is
    /// new (records known to grow later would otherwise be copied and leave their old bytes as garbage). The
    /// stored bytes are the same either way.
    @inlinable
    public func put(_ key: some FoldBytes, _ value: some FoldBytes, reserving extra: Int = 0) {
        key.withUnsafeBytes { key in value.withUnsafeBytes { value in put(raw: key, value, reserving: extra) } }
    }

    /// Deletes `key`; returns whether it was present.
    @inlinable
    @discardableResult
    public func delete(_ key: some FoldBytes) -> Bool {
        key.withUnsafeBytes { delete(raw: $0) }
    }

    @usableFromInline
    func read<R>(raw key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        try table._withUnsafeGuaranteedRef { table in try table.valueToRead(key).map { try body(UnsafeRawBufferPointer($0)) } }
    }

    @usableFromInline
    func update<R>(raw key: UnsafeRawBufferPointer, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R? {
        try table._withUnsafeGuaranteedRef { table in
            guard let value = table.valueToRead(key) else { return nil }
            let result = try body(value)
            table.changed(key)
            return result
        }
    }

    @usableFromInline
    func prefetch(raw key: UnsafeRawBufferPointer) {
        table._withUnsafeGuaranteedRef { $0.prefetch(key) }
    }

    @usableFromInline
    func put(raw key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, reserving extra: Int) {
        table._withUnsafeGuaranteedRef { $0.put(key, value, reserving: extra) }
    }

    @usableFromInline
    func delete(raw key: UnsafeRawBufferPointer) -> Bool {
        table._withUnsafeGuaranteedRef { $0.delete(key) }
    }
}
