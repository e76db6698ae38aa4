import LMDB

/// A projection table resolved once, for hot read paths: no table-name building or lookup per read.
public struct TableHandle: Sendable, Hashable {
    let database: Database
}

extension EventStore {
    /// The handle of `projection`'s table `table`.
    public func handle(_ projection: some Projection, _ table: String) throws -> TableHandle {
        let name = projection.databaseName(table)
        guard let database = databases[name] else { throw EventStoreError.unknownTable(name) }
        return TableHandle(database: database)
    }
}

extension ReadContext {
    /// The value under `key` in the table of `handle`, or nil.
    public func get(_ handle: TableHandle, _ key: [UInt8]) throws -> [UInt8]? {
        try txn.get(handle.database, key: key)
    }
}
