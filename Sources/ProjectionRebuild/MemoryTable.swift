import EventLog

/// One in-memory table of a rebuild.
@usableFromInline
/// `@unchecked Sendable`: a rebuild gives each table to one fold thread; others read it only after the fold threads are joined.
final class MemoryTable: DetachedTable, @unchecked Sendable {
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
    /// A derived table not filled yet (see ``FoldTable/isDeferred``).
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

    /// `delete` of ``FoldTable`` and ``ProjectionTable``: whether `key` was present (never while the table is
    /// deferred), the change counted.
    func delete(_ key: UnsafeRawBufferPointer) -> Bool {
        guard let removed = removeToRead(key) else { return false }
        changed(key)
        return removed
    }

    /// `get` of ``ProjectionTable`` (`apply` on a rebuild's tables): see ``valueToRead(_:)``.
    func read<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        try valueToRead(key).map { try body(UnsafeRawBufferPointer($0)) }
    }

    /// `put` of ``ProjectionTable``.
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        put(key, value, reserving: 0)
    }

    /// Adds a key that is never read back while applying events (index entries): kept aside until the table is
    /// sorted; nothing while the table is deferred.
    func insert(_ key: [UInt8], _ value: [UInt8]) {
        if deferred { return }
        inserted.append((key, value))
        changed(key)
    }

    /// The entries whose keys start with `prefix`, in key order.
    func entries(prefix: [UInt8]) -> [(key: [UInt8], value: [UInt8])] {
        sortedEntries().filter { $0.0.starts(with: prefix) }.map { (key: $0.0, value: $0.1) }
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
final class MemoryTables: DetachedTables, @unchecked Sendable {
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

    func table(named name: String) -> any DetachedTable { store(name) }
}
