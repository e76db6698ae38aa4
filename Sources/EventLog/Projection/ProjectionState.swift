import LMDB

/// The tables a projection reads and writes while applying events.
///
/// Two backings share this one interface: the live LMDB write transaction (appends), and an in-memory table set
/// that a rebuild fills before writing it out in key order into fresh tables (bulk load). Both are real storage;
/// the rebuilt bytes are compared with the live bytes by ``Digest``.
public final class ProjectionState {
    enum Backing {
        case live(Transaction, [String: Database])
        case memory(MemoryTables)
    }

    let backing: Backing
    /// Tables resolved so far, with the projection and table names they were asked for. A short list compared with
    /// `==` (names are literals: equal strings share their bits) is cheaper than hashing both names on every event.
    private var resolved: [Resolved] = []
    /// Keeps this object's written fields off the cache lines of objects other threads write.
    private let padding = CacheLinePadding()

    private struct Resolved {
        let projection: String
        let table: String
        let value: ProjectionTable
    }

    init(_ backing: Backing) { self.backing = backing }

    /// The table `table` of `projection`.
    public func table(_ projection: some Projection, _ table: String) -> ProjectionTable {
        let name = projection.name
        // Compared in place (no copy of an entry per comparison), lengths first: comparing two different strings
        // costs more than comparing two equal literals.
        let tableLength = table.utf8.count
        let hit = resolved.withUnsafeBufferPointer { entries -> Int? in
            for index in entries.indices
            where entries[index].table.utf8.count == tableLength && entries[index].table == table && entries[index].projection == name {
                return index
            }
            return nil
        }
        if let hit { return resolved[hit].value }
        let made = self.table(named: projection.databaseName(table))
        resolved.append(Resolved(projection: name, table: table, value: made))
        return made
    }

    /// A table by its full database name.
    func table(named name: String) -> ProjectionTable {
        switch backing {
        case .live(let txn, let dbs): return ProjectionTable(storage: .live(txn, dbs[name], name))
        case .memory(let tables): return ProjectionTable(storage: .memory(Unmanaged.passUnretained(tables.store(name))))
        }
    }
}

/// Bytes a table can read in place: keys and values given as arrays or as slices of a stored event (no copy).
public protocol TableBytes {
    /// Calls `body` with the bytes, in place.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: TableBytes where Element == UInt8 {}
extension ArraySlice: TableBytes where Element == UInt8 {}
extension UnsafeRawBufferPointer: TableBytes {
    /// Calls `body` with the buffer itself (for bytes a caller encoded into temporary memory).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(self) }
}

/// One key/value table of a projection. Keys and values are bytes; keys sort bytewise.
public struct ProjectionTable {
    @usableFromInline
    enum Storage {
        case live(Transaction, Database?, String)
        /// Unretained: the ``ProjectionState`` that made the table keeps its in-memory tables alive (they are never
        /// dropped before it), and a table is used only while its state is (during `apply` or a command). Counting
        /// a reference per copy and per call cost rebuild threads an atomic write, which waits for their pending
        /// stores, millions of times.
        case memory(Unmanaged<MemoryTable>)
    }

    /// The full database name (kept by the storage: a table copied per event counts no reference to a string).
    public var name: String {
        switch storage {
        case .live(_, _, let name): return name
        case .memory(let table): return table._withUnsafeGuaranteedRef { $0.name }
        }
    }
    @usableFromInline
    let storage: Storage

    init(storage: Storage) {
        self.storage = storage
    }

    /// Whether this table is deferred: a ``DerivedTable`` that a rebuild fills from its source once the log is
    /// folded. Writes to it are then dropped and reads find nothing, so `apply` may skip the work that only feeds
    /// it. Always false on the live path.
    public var isDeferred: Bool {
        if case .memory(let table) = storage { return table._withUnsafeGuaranteedRef { $0.deferred } }
        return false
    }

    /// The value under `key`, or nil.
    @inlinable
    public func get(_ key: some TableBytes) throws -> [UInt8]? {
        try key.withUnsafeBytes { key in try read(raw: key) { [UInt8]($0) } }
    }

    /// Calls `body` with the value under `key` in place (valid only during the call); nil if there is none.
    @inlinable
    public func read<R>(_ key: some TableBytes, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try key.withUnsafeBytes { key in try read(raw: key, body) }
    }

    /// Changes the value under `key` in place (its length stays): `body` gets it writable; nil if there is none.
    /// In a rebuild the bytes are patched where they lie; in a live transaction they are read, patched and put back.
    @inlinable
    public func update<R>(_ key: some TableBytes, _ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R? {
        try key.withUnsafeBytes { key in try update(raw: key, body) }
    }

    /// Hints that `key` will be looked up soon: an in-memory table (a rebuild) starts loading the memory the lookup
    /// begins with, so that work done meanwhile overlaps the cache miss. Changes nothing; nothing on the live path.
    @inlinable
    public func prefetch(_ key: some TableBytes) {
        key.withUnsafeBytes { prefetch(raw: $0) }
    }

    @usableFromInline
    func prefetch(raw key: UnsafeRawBufferPointer) {
        if case .memory(let table) = storage { table._withUnsafeGuaranteedRef { $0.prefetch(key) } }
    }

    /// Stores `value` under `key`.
    @inlinable
    public func put(_ key: some TableBytes, _ value: some TableBytes) throws {
        try key.withUnsafeBytes { key in try value.withUnsafeBytes { value in try put(raw: key, value) } }
    }

    /// Stores `value` under `key`, leaving room for the value to grow by `extra` bytes where it lies if the key is
    /// new: a hint for in-memory tables (a rebuild), for records known to grow later, which would otherwise be
    /// copied and leave their old bytes as garbage. The stored bytes are the same either way.
    @inlinable
    public func put(_ key: some TableBytes, _ value: some TableBytes, reserving extra: Int) throws {
        try key.withUnsafeBytes { key in try value.withUnsafeBytes { value in try put(raw: key, value, reserving: extra) } }
    }

    /// Deletes `key`; returns whether it was present.
    @inlinable
    @discardableResult
    public func delete(_ key: some TableBytes) throws -> Bool {
        try key.withUnsafeBytes { key in try delete(raw: key) }
    }

    @usableFromInline
    func read<R>(raw key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        switch storage {
        case .live(let txn, let db, _):
            return try txn.withValue(try database(db), key: key) { value in try value.map(body) }
        case .memory(let table):
            return try table._withUnsafeGuaranteedRef { table in
                try table.valueToRead(key).map { try body(UnsafeRawBufferPointer($0)) }
            }
        }
    }

    @usableFromInline
    func update<R>(raw key: UnsafeRawBufferPointer, _ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R? {
        switch storage {
        case .live(let txn, let db, _):
            let db = try database(db)
            guard var value = try txn.withValue(db, key: key, { $0.map { [UInt8]($0) } }) else { return nil }
            let result = try value.withUnsafeMutableBytes(body)
            try value.withUnsafeBytes { value in try txn.put(db, key: key, value: value) }
            return result
        case .memory(let table):
            return try table._withUnsafeGuaranteedRef { table in
                guard let value = table.valueToRead(key) else { return nil }
                let result = try body(value)
                table.changed(key)
                return result
            }
        }
    }

    @usableFromInline
    func put(raw key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, reserving extra: Int = 0) throws {
        switch storage {
        case .live(let txn, let db, _): try txn.put(try database(db), key: key, value: value)
        case .memory(let table): table._withUnsafeGuaranteedRef { $0.put(key, value, reserving: extra) }
        }
    }

    @usableFromInline
    func delete(raw key: UnsafeRawBufferPointer) throws -> Bool {
        switch storage {
        case .live(let txn, let db, _): return try txn.delete(try database(db), key: key)
        case .memory(let table):
            return table._withUnsafeGuaranteedRef { table in
                guard let removed = table.removeToRead(key) else { return false }
                table.changed(key)
                return removed
            }
        }
    }

    /// Adds a key that is never read back while applying events (index entries). Cheaper than `put` in a rebuild.
    public func insert(_ key: [UInt8], _ value: [UInt8] = []) throws {
        switch storage {
        case .live(let txn, let db, _): try txn.put(try database(db), key: key, value: value)
        case .memory(let table):
            table._withUnsafeGuaranteedRef { table in
                if table.deferred { return }
                table.inserted.append((key, value))
                table.changed(key)
            }
        }
    }

    /// The live database handle of this table, if it is backed by LMDB.
    var liveDatabase: Database? {
        if case .live(_, let db, _) = storage { return db }
        return nil
    }

    private func database(_ db: Database?) throws -> Database {
        guard let db else { throw EventStoreError.unknownTable(name) }
        return db
    }
}

/// One in-memory table of a rebuild.
@usableFromInline
/// `@unchecked Sendable`: a rebuild gives each table to one fold thread; others read it only after the fold threads are joined.
final class MemoryTable: @unchecked Sendable {
    // Only the thread that folds the table uses it, so the stored properties the fold touches per event skip the
    // run-time exclusivity check (`@exclusivity(unchecked)`), and the write buffer is a `let` (not an optional
    // reference bound, and counted, per write).
    /// The full database name.
    let name: String
    private let storage = BytesMap()
    /// Writes held back (see ``PendingWrites``) while ``holding``: the table is only written so far.
    private let pending = PendingWrites()
    @exclusivity(unchecked) private var holding = false
    var inserted: [([UInt8], [UInt8])] = []
    /// A derived table not filled yet (see ``ProjectionTable/isDeferred``).
    @exclusivity(unchecked) var deferred = false
    /// Counts changes (a sorted view is reused until the table changes).
    @exclusivity(unchecked) private(set) var version = 0
    /// When not nil, every key changed since (a rebuild checks them against the live table).
    @exclusivity(unchecked) var touched: [[UInt8]]?

    init(name: String) { self.name = name }

    /// The entries, with every held-back write applied.
    var map: BytesMap {
        if holding { pending.apply(to: storage) }
        return storage
    }

    /// The value under `key` for `apply` to read or patch in place (valid until the table next changes): nil if
    /// there is none, and while the table is deferred (reads find nothing). Held-back writes are applied first, and
    /// no longer held. (A method rather than handing out the map: no reference counted per lookup.)
    @inline(__always)
    func valueToRead(_ key: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer? {
        if deferred { return nil }
        stopHoldingWrites()
        return storage.value(key)
    }

    /// Removes `key` for `apply`, which reads what was there: whether it was, or nil while the table is deferred
    /// (nothing to remove). Held-back writes are applied first, and no longer held.
    func removeToRead(_ key: UnsafeRawBufferPointer) -> Bool? {
        if deferred { return nil }
        stopHoldingWrites()
        return storage.remove(key)
    }

    /// From now on, holds writes back until the table is read (a rebuild's fold).
    func holdWrites() {
        pending.start()
        holding = true
    }

    /// Applies the held-back writes and writes straight to the map from now on: the table is read.
    @inline(__always)
    func stopHoldingWrites() {
        guard holding else { return }
        pending.apply(to: storage)
        pending.stop()
        holding = false
    }

    /// ``ProjectionTable/prefetch(_:)``: only when the table is read (while it holds writes back, a lookup would
    /// first apply them).
    func prefetch(_ key: UnsafeRawBufferPointer) {
        if !deferred, !holding { storage.prefetch(key) }
    }

    /// `put` of ``ProjectionTable``: nothing while the table is deferred, else the write (or held back) and the
    /// change counted.
    @inline(never)
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, reserving extra: Int) {
        if deferred { return }
        set(key, value, reserving: extra)
        changed(key)
    }

    /// Stores `value` under `key`, or holds the write back.
    @inline(__always)
    func set(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, reserving extra: Int) {
        if holding {
            pending.set(key, value, reserving: extra, in: storage)
        } else {
            storage.set(key, value, reserving: extra)
        }
    }

    @inline(__always)
    func changed(_ key: [UInt8]) {
        version &+= 1
        touched?.append(key)
    }

    @inline(__always)
    func changed(_ key: UnsafeRawBufferPointer) {
        version &+= 1
        if touched != nil { touched!.append([UInt8](key)) }
    }

    /// The value a key has in this table, `inserted` entries included.
    func value(_ key: [UInt8]) -> [UInt8]? {
        if let value = map[key] { return value }
        return inserted.last(where: { $0.0 == key })?.1
    }

    /// Number of entries (keys), `inserted` ones included.
    var count: Int {
        if inserted.isEmpty { return map.count }
        return sortedEntries().count
    }

    /// Calls `body` with every entry in no particular order, in place.
    func forEachUnordered(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        if inserted.isEmpty {
            try map.forEach(body)
        } else {
            for (key, value) in sortedEntries() {
                try key.withUnsafeBytes { key in try value.withUnsafeBytes { value in try body(key, value) } }
            }
        }
    }

    /// The entries in key order, as of `version`.
    private enum SortedView {
        /// Record handles of `map` (no inserted entries).
        case records([Int])
        /// Copies, with inserted entries merged in.
        case entries([([UInt8], [UInt8])])
    }

    private var sorted: (version: Int, view: SortedView)?
    /// Keeps this object's written fields off the cache lines of objects other threads write.
    private let padding = CacheLinePadding()

    /// Sorts the entries if the table changed since they were last sorted.
    func prepareSorted() {
        guard sorted?.version != version else { return }
        sorted = (version, inserted.isEmpty ? .records(map.sortedRecords()) : .entries(sortedEntries()))
    }

    /// Calls `body` with every entry in key order, in place (buffers valid only during the call); returns how many
    /// there were.
    @discardableResult
    func forEachSorted(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows -> Int {
        prepareSorted()
        switch sorted!.view {
        case .records(let records):
            for record in records {
                let (key, value) = map.entry(record)
                try body(key, value)
            }
            return records.count
        case .entries(let entries):
            for (key, value) in entries {
                try key.withUnsafeBytes { key in try value.withUnsafeBytes { value in try body(key, value) } }
            }
            return entries.count
        }
    }

    /// All entries sorted by key (bytewise, as LMDB orders them), copied; a key both put and inserted keeps the put
    /// value, a key inserted twice the later value.
    func sortedEntries() -> [([UInt8], [UInt8])] {
        if inserted.isEmpty {
            return map.sortedRecords().map { record in
                let (key, value) = map.entry(record)
                return ([UInt8](key), [UInt8](value))
            }
        }
        var keys: [[UInt8]] = []
        var values: [[UInt8]] = []
        keys.reserveCapacity(inserted.count + map.count)
        values.reserveCapacity(inserted.count + map.count)
        for (key, value) in inserted {
            keys.append(key)
            values.append(value)
        }
        map.forEach { key, value in
            keys.append([UInt8](key))
            values.append([UInt8](value))
        }
        // A stable sort keeps equal keys in insertion order, with the put value (from `map`) last.
        let order = ByteOrder.sortedOrder(keys)
        var entries: [([UInt8], [UInt8])] = []
        entries.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            if position + 1 < order.count, keys[order[position + 1]] == keys[index] { continue }
            entries.append((keys[index], values[index]))
        }
        return entries
    }
}

/// In-memory tables used by rebuilds; written out in key order with `MDB_APPEND`.
/// Sendable by contract: during a parallel rebuild each worker owns its own instance, and sorting only reads.
final class MemoryTables: @unchecked Sendable {
    private(set) var tables: [String: MemoryTable] = [:]
    /// Keeps this object's written fields off the cache lines of objects other threads write.
    private let padding = CacheLinePadding()

    init(names: [String]) {
        for name in names { tables[name] = MemoryTable(name: name) }
    }

    func store(_ name: String) -> MemoryTable {
        if let table = tables[name] { return table }
        let table = MemoryTable(name: name)
        tables[name] = table
        return table
    }

    /// Adds the tables of `other` (tables are disjoint between projections).
    func merge(_ other: MemoryTables) {
        for (name, table) in other.tables { tables[name] = table }
    }

    func sortedEntries(_ name: String) -> [([UInt8], [UInt8])] { tables[name]?.sortedEntries() ?? [] }
}
