import LMDB

extension EventStore {
    /// The number of the last shared-log commit applied to this store's environment (0 for a standalone log).
    public func replicaCommit() throws -> UInt64 {
        try environment.read { txn in try Replica.commit(txn, tables) }
    }

    /// Turns the replica in directory `path` into a standalone log: removes the meta keys that bind it to a shared
    /// log (`shared/store`, `shared/commit`) in one write transaction. The log, its head and every table stay as
    /// they are. Run it only on a closed replica (no store of this process has it open); `authctl migrate --from`
    /// does it after bootstrapping a replica. Throws ``EventStoreError/diverged(_:)`` if `path` is not a replica.
    public static func detachReplica(path: String) throws {
        let environment = try Environment(path: path)
        let tables = try LogTables(environment: environment, create: false)
        try environment.write { txn in
            guard try txn.get(tables.meta, key: Replica.storeKey) != nil else {
                throw EventStoreError.diverged("\(path) is not the replica of a shared log")
            }
            _ = try txn.delete(tables.meta, key: Replica.storeKey)
            _ = try txn.delete(tables.meta, key: Replica.commitKey)
        }
    }

    /// Whether the meta key `key` (UTF-8) is one that only a node's own environment holds, never copied between
    /// engines: the replica's binding to a shared log (`shared/…`) and the running server's registration.
    public static func isNodeLocalMetaKey(_ key: [UInt8]) -> Bool {
        key.starts(with: Array("shared/".utf8)) || key == RunningServer.key
    }
}
