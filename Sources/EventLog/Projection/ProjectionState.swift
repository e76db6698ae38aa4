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
    /// Resolved tables by projection name, then table name (short names: no allocation to look up).
    private var resolved: [String: [String: ProjectionTable]] = [:]

    init(_ backing: Backing) { self.backing = backing }

    /// The table `table` of `projection`.
    public func table(_ projection: some Projection, _ table: String) -> ProjectionTable {
        if let found = resolved[projection.name]?[table] { return found }
        let made = self.table(named: projection.databaseName(table))
        resolved[projection.name, default: [:]][table] = made
        return made
    }

    /// A table by its full database name.
    func table(named name: String) -> ProjectionTable {
        switch backing {
        case .live(let txn, let dbs): return ProjectionTable(name: name, storage: .live(txn, dbs[name]))
        case .memory(let tables): return ProjectionTable(name: name, storage: .memory(tables.store(name)))
        }
    }
}

/// One key/value table of a projection. Keys and values are bytes; keys sort bytewise.
public struct ProjectionTable {
    enum Storage {
        case live(Transaction, Database?)
        case memory(MemoryTable)
    }

    /// The full database name.
    public let name: String
    let storage: Storage

    /// The value under `key`, or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        switch storage {
        case .live(let txn, let db): return try txn.get(try database(db), key: key)
        case .memory(let table): return table.map[BytesKey(key)]
        }
    }

    /// Stores `value` under `key`.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        switch storage {
        case .live(let txn, let db): try txn.put(try database(db), key: key, value: value)
        case .memory(let table): table.map[BytesKey(key)] = value
        }
    }

    /// Deletes `key`; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        switch storage {
        case .live(let txn, let db): return try txn.delete(try database(db), key: key)
        case .memory(let table): return table.map.removeValue(forKey: BytesKey(key)) != nil
        }
    }

    /// Adds a key that is never read back while applying events (index entries). Cheaper than `put` in a rebuild.
    public func insert(_ key: [UInt8], _ value: [UInt8] = []) throws {
        switch storage {
        case .live(let txn, let db): try txn.put(try database(db), key: key, value: value)
        case .memory(let table): table.inserted.append((key, value))
        }
    }

    /// The live database handle of this table, if it is backed by LMDB.
    var liveDatabase: Database? {
        if case .live(_, let db) = storage { return db }
        return nil
    }

    private func database(_ db: Database?) throws -> Database {
        guard let db else { throw EventStoreError.unknownTable(name) }
        return db
    }
}

/// One in-memory table of a rebuild.
final class MemoryTable: @unchecked Sendable {
    var map: [BytesKey: [UInt8]] = [:]
    var inserted: [([UInt8], [UInt8])] = []

    /// All entries sorted by key (bytewise, as LMDB orders them); a key both put and inserted keeps the put value.
    func sortedEntries() -> [([UInt8], [UInt8])] {
        var entries = inserted
        entries.reserveCapacity(inserted.count + map.count)
        for (key, value) in map { entries.append((key.bytes, value)) }
        entries.sort { ByteOrder.less($0.0, $1.0) }
        // Duplicates are rare (a key both put and inserted, or inserted twice); look before copying.
        var hasDuplicates = false
        for index in entries.indices.dropFirst() where entries[index].0 == entries[index - 1].0 {
            hasDuplicates = true
            break
        }
        guard hasDuplicates else { return entries }
        var unique: [([UInt8], [UInt8])] = []
        unique.reserveCapacity(entries.count)
        for entry in entries {
            if let last = unique.last, last.0 == entry.0 {
                unique[unique.count - 1] = map[BytesKey(entry.0)] != nil ? (entry.0, map[BytesKey(entry.0)]!) : entry
            } else {
                unique.append(entry)
            }
        }
        return unique
    }
}

/// In-memory tables used by rebuilds; written out in key order with `MDB_APPEND`.
/// Sendable by contract: during a parallel rebuild each worker owns its own instance, and sorting only reads.
final class MemoryTables: @unchecked Sendable {
    private(set) var tables: [String: MemoryTable] = [:]

    init(names: [String]) {
        for name in names { tables[name] = MemoryTable() }
    }

    func store(_ name: String) -> MemoryTable {
        if let table = tables[name] { return table }
        let table = MemoryTable()
        tables[name] = table
        return table
    }

    /// Adds the tables of `other` (tables are disjoint between projections).
    func merge(_ other: MemoryTables) {
        for (name, table) in other.tables { tables[name] = table }
    }

    func sortedEntries(_ name: String) -> [([UInt8], [UInt8])] { tables[name]?.sortedEntries() ?? [] }
}
