import LMDB

/// A table of the store's environment that is **not** part of the log: short-lived state such as ceremony
/// challenges or flow tokens, which are not facts about users and are never replayed, hashed into the chain or
/// rebuilt. Commands write it inside the single writer's transaction, like everything else (``CommandContext``'s
/// side-table methods): its writes are batched, durable and atomic with the command's events, and there is no
/// second writer.
public struct SideTable: Sendable, Hashable {
    /// The LMDB database name.
    public let name: String
    let database: Database
}

extension EventStore {
    /// Opens (creating if needed) the side table `name`. Call it at setup, before serving: opening a table is the
    /// only write outside the writer (one small transaction, as for the projections' tables on open).
    /// - Throws: ``EventStoreError/sideTableName(_:)`` if `name` is a log or projection table.
    public func sideTable(_ name: String) throws -> SideTable {
        guard name != LogTables.logName, name != LogTables.metaName, databases[name] == nil else {
            throw EventStoreError.sideTableName(name)
        }
        return SideTable(name: name, database: try environment.openDatabase(name))
    }
}

extension CommandContext {
    /// The value of `key` in `table`, as of this transaction (including this command's writes).
    public func get(_ table: SideTable, key: [UInt8]) throws -> [UInt8]? {
        try txn.get(table.database, key: key)
    }

    /// Sets `key` to `value` in `table`. Rolled back with the command if it throws.
    public func put(_ table: SideTable, key: [UInt8], value: [UInt8]) throws {
        try txn.put(table.database, key: key, value: value)
    }

    /// Removes `key` from `table`; whether it was there.
    @discardableResult
    public func delete(_ table: SideTable, key: [UInt8]) throws -> Bool {
        try txn.delete(table.database, key: key)
    }

    /// Visits the entries of `table` in key order until `body` returns false.
    public func forEach(_ table: SideTable, _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try txn.forEach(table.database, body)
    }
}

extension ReadContext {
    /// The value of `key` in the side table `table`, as of this snapshot.
    public func get(_ table: SideTable, key: [UInt8]) throws -> [UInt8]? {
        try txn.get(table.database, key: key)
    }

    /// Visits the entries of the side table `table` in key order until `body` returns false.
    public func forEach(_ table: SideTable, _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try txn.forEach(table.database, body)
    }
}

extension LogReader {
    /// The side table `name`, or nil if the environment has none of that name (read-only: nothing is created).
    public func sideTable(_ name: String) throws -> SideTable? {
        try environment.openExistingDatabase(name).map { SideTable(name: name, database: $0) }
    }
}
