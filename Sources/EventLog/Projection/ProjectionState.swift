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

    init(_ backing: Backing) { self.backing = backing }

    /// The table `table` of `projection`.
    public func table(_ projection: some Projection, _ table: String) -> ProjectionTable {
        ProjectionTable(state: self, name: projection.databaseName(table))
    }

    /// A table by its full database name.
    func table(named name: String) -> ProjectionTable { ProjectionTable(state: self, name: name) }
}

/// One key/value table of a projection. Keys and values are bytes; keys sort bytewise.
public struct ProjectionTable {
    let state: ProjectionState
    /// The full database name.
    public let name: String

    /// The value under `key`, or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        switch state.backing {
        case .live(let txn, let dbs): return try txn.get(try database(dbs), key: key)
        case .memory(let tables): return tables.get(name, key)
        }
    }

    /// Stores `value` under `key`.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        switch state.backing {
        case .live(let txn, let dbs): try txn.put(try database(dbs), key: key, value: value)
        case .memory(let tables): tables.put(name, key, value)
        }
    }

    /// Deletes `key`; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8]) throws -> Bool {
        switch state.backing {
        case .live(let txn, let dbs): return try txn.delete(try database(dbs), key: key)
        case .memory(let tables): return tables.delete(name, key)
        }
    }

    /// Adds a key that is never read back while applying events (index entries). Cheaper than `put` in a rebuild.
    public func insert(_ key: [UInt8], _ value: [UInt8] = []) throws {
        switch state.backing {
        case .live(let txn, let dbs): try txn.put(try database(dbs), key: key, value: value)
        case .memory(let tables): tables.insert(name, key, value)
        }
    }

    private func database(_ dbs: [String: Database]) throws -> Database {
        guard let db = dbs[name] else { throw EventStoreError.unknownTable(name) }
        return db
    }
}

/// In-memory tables used by rebuilds; written out in key order with `MDB_APPEND`.
final class MemoryTables {
    var maps: [String: [[UInt8]: [UInt8]]] = [:]
    var inserted: [String: [([UInt8], [UInt8])]] = [:]

    init(names: [String]) {
        for name in names {
            maps[name] = [:]
            inserted[name] = []
        }
    }

    func get(_ table: String, _ key: [UInt8]) -> [UInt8]? { maps[table]?[key] }

    func put(_ table: String, _ key: [UInt8], _ value: [UInt8]) { maps[table, default: [:]][key] = value }

    func delete(_ table: String, _ key: [UInt8]) -> Bool { maps[table]?.removeValue(forKey: key) != nil }

    func insert(_ table: String, _ key: [UInt8], _ value: [UInt8]) { inserted[table, default: []].append((key, value)) }

    /// All entries of `table`, sorted by key (bytewise, as LMDB orders them).
    func sortedEntries(_ table: String) -> [([UInt8], [UInt8])] {
        var entries = (maps[table] ?? [:]).map { ($0.key, $0.value) }
        entries.append(contentsOf: inserted[table] ?? [])
        entries.sort { $0.0.lexicographicallyPrecedes($1.0) }
        // An inserted key that was also put keeps the last write; duplicates are adjacent after sorting.
        var unique: [([UInt8], [UInt8])] = []
        unique.reserveCapacity(entries.count)
        for entry in entries {
            if let last = unique.last, last.0 == entry.0 { unique[unique.count - 1] = entry } else { unique.append(entry) }
        }
        return unique
    }
}
