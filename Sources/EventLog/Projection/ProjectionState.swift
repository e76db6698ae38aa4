import LMDB

/// The tables a projection reads and writes while applying events.
///
/// Two backings share this one interface: the live LMDB write transaction (appends, and reads in queries), and
/// tables kept outside LMDB (``DetachedTables``: a rebuild's in-memory tables, an audit's scratch state). Both are
/// real storage; the rebuilt bytes are compared with the live bytes by ``Digest``.
public final class ProjectionState {
    enum Backing {
        case live(Transaction, [String: Database])
        case detached(any DetachedTables)
    }

    let backing: Backing
    private var names = ResolvedTables()
    private var resolved: [ProjectionTable] = []

    init(_ backing: Backing) { self.backing = backing }

    /// A state over tables kept outside LMDB (the rebuild's).
    package convenience init(detached tables: any DetachedTables) { self.init(.detached(tables)) }

    /// The table `table` of `projection`.
    public func table(_ projection: some Projection, _ table: String) -> ProjectionTable {
        let name = projection.name
        if let position = names.position(name, table) { return resolved[position] }
        let made = self.table(named: projection.databaseName(table))
        names.add(name, table)
        resolved.append(made)
        return made
    }

    /// A table by its full database name.
    package func table(named name: String) -> ProjectionTable {
        switch backing {
        case .live(let txn, let dbs): return ProjectionTable(storage: .live(txn, dbs[name], name))
        case .detached(let tables): return ProjectionTable(storage: .detached(tables.table(named: name)))
        }
    }
}

/// Tables kept outside LMDB that a ``ProjectionState`` can stand on: the rebuild target's in-memory tables.
package protocol DetachedTables: AnyObject {
    /// The table with the full database name `name` (created empty if new).
    func table(named name: String) -> any DetachedTable
}

/// One table kept outside LMDB (see ``DetachedTables``). Keys sort bytewise, as in LMDB.
package protocol DetachedTable: AnyObject {
    /// The full database name.
    var name: String { get }
    /// Calls `body` with the value under `key` (valid only during the call); nil if there is none.
    func read<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R?
    /// Stores `value` under `key`.
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer)
    /// Deletes `key`; returns whether it was present.
    func delete(_ key: UnsafeRawBufferPointer) -> Bool
    /// Adds an entry that is never read back while applying events (index entries).
    func insert(_ key: [UInt8], _ value: [UInt8])
    /// The entries whose keys start with `prefix`, in key order.
    func entries(prefix: [UInt8]) -> [(key: [UInt8], value: [UInt8])]
}

/// Bytes a table takes as a key or a value: arrays and slices of bytes.
public protocol TableBytes {
    /// Calls `body` with the bytes, in place.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: TableBytes where Element == UInt8 {}
extension ArraySlice: TableBytes where Element == UInt8 {}

/// One key/value table of a projection: get, put, delete and a prefix scan. Keys and values are bytes; keys sort
/// bytewise.
public struct ProjectionTable {
    enum Storage {
        case live(Transaction, Database?, String)
        case detached(any DetachedTable)
    }

    let storage: Storage

    init(storage: Storage) {
        self.storage = storage
    }

    /// The full database name.
    public var name: String {
        switch storage {
        case .live(_, _, let name): return name
        case .detached(let table): return table.name
        }
    }

    // The generic accessors are inlinable so that callers in other modules get them specialized for their byte
    // types (no generic metadata or witness calls per access on the writer); each goes straight to one concrete
    // accessor over the bytes in place.

    /// The value under `key`, or nil.
    @inlinable
    public func get(_ key: some TableBytes) throws -> [UInt8]? {
        try key.withUnsafeBytes { key in try value(at: key) }
    }

    /// Whether `key` has a value.
    @inlinable
    public func contains(_ key: some TableBytes) throws -> Bool {
        try key.withUnsafeBytes { key in try contains(at: key) }
    }

    /// Stores `value` under `key`.
    @inlinable
    public func put(_ key: some TableBytes, _ value: some TableBytes) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in try put(at: key, value) }
        }
    }

    /// Deletes `key`; returns whether it was present.
    @inlinable
    @discardableResult
    public func delete(_ key: some TableBytes) throws -> Bool {
        try key.withUnsafeBytes { key in try delete(at: key) }
    }

    /// The value under the bytes `key`, or nil.
    @usableFromInline
    func value(at key: UnsafeRawBufferPointer) throws -> [UInt8]? {
        switch storage {
        case .live(let txn, let db, _): return try txn.withValue(try database(db), key: key) { $0.map { [UInt8]($0) } }
        case .detached(let table): return table.read(key) { [UInt8]($0) }
        }
    }

    /// Whether the bytes `key` have a value.
    @usableFromInline
    func contains(at key: UnsafeRawBufferPointer) throws -> Bool {
        switch storage {
        case .live(let txn, let db, _): return try txn.withValue(try database(db), key: key) { $0 != nil }
        case .detached(let table): return table.read(key) { _ in true } ?? false
        }
    }

    /// Stores the bytes `value` under the bytes `key`.
    @usableFromInline
    func put(at key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws {
        switch storage {
        case .live(let txn, let db, _): try txn.put(try database(db), key: key, value: value)
        case .detached(let table): table.put(key, value)
        }
    }

    /// Deletes the bytes `key`; returns whether they were present.
    @usableFromInline
    func delete(at key: UnsafeRawBufferPointer) throws -> Bool {
        switch storage {
        case .live(let txn, let db, _): return try txn.delete(try database(db), key: key)
        case .detached(let table): return table.delete(key)
        }
    }

    /// The entries whose keys start with `prefix`, in key order.
    ///
    /// For commands that must act on a set inside the write transaction (revoke every session of a user), so the
    /// set cannot change between reading it and acting on it. `apply` should keep to point reads and writes.
    public func entries(prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        switch storage {
        case .live(let txn, let db, _):
            var out: [(key: [UInt8], value: [UInt8])] = []
            try txn.forEach(try database(db), from: prefix.isEmpty ? nil : prefix) { key, value in
                guard key.starts(with: prefix) else { return false }
                out.append((key, value))
                return true
            }
            return out
        case .detached(let table):
            return table.entries(prefix: prefix)
        }
    }

    /// Adds a key that is never read back while applying events (index entries). Cheaper than `put` in a rebuild.
    func insert(_ key: [UInt8], _ value: [UInt8] = []) throws {
        switch storage {
        case .live(let txn, let db, _): try txn.put(try database(db), key: key, value: value)
        case .detached(let table): table.insert(key, value)
        }
    }

    /// ``insert(_:_:)`` of the bytes `key` with an empty value.
    func insert(at key: UnsafeRawBufferPointer) throws {
        switch storage {
        case .live(let txn, let db, _): try txn.put(try database(db), key: key, value: UnsafeRawBufferPointer(rebasing: key[0..<0]))
        case .detached(let table): table.insert([UInt8](key), [])
        }
    }

    private func database(_ db: Database?) throws -> Database {
        guard let db else { throw EventStoreError.unknownTable(name) }
        return db
    }
}
