import LMDB

/// Projection tables that no current projection uses: those of older versions (`p.sessions.v3.*` once sessions is
/// at v4) or of projections no longer in the code, with their checkpoints in the meta table.
///
/// A version bump builds the new tables from the log when the store opens and leaves the old ones in place: nothing
/// reads them, but they take space and are copied by backups. They are never removed implicitly (an older binary
/// would still use them); ``drop(environment:)`` removes them when an operator asks (`authctl prune --drop`).
public struct StaleTables: Sendable, Equatable {
    /// A stale database.
    public struct Table: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Its entry count.
        public var entries: Int
    }

    /// The stale databases, sorted by name.
    public var databases: [Table]
    /// Checkpoint keys (`checkpoint/p.<name>.v<version>`) of no current projection.
    public var checkpoints: [String]

    /// Finds the stale tables of the environment, given the current `projections` (the stream index included).
    public static func find(environment: Environment, projections: [any Projection]) throws -> StaleTables {
        let current = Set(projections.databaseNames)
        let currentCheckpoints = Set(projections.map { String(decoding: $0.checkpointKey, as: UTF8.self) })
        let names = try environment.databaseNames().filter { $0.hasPrefix("p.") && !current.contains($0) }
        let meta = try environment.openDatabase(LogTables.metaName, flags: [])
        let handles = try names.map { try environment.openDatabase($0, flags: []) }
        let prefix = Array("checkpoint/".utf8)
        var databases: [Table] = []
        var checkpoints: [String] = []
        try environment.read { txn in
            for db in handles { databases.append(Table(name: db.name, entries: try txn.count(db))) }
            try txn.forEach(meta, from: prefix) { key, _ in
                guard key.starts(with: prefix) else { return false }
                let name = String(decoding: key, as: UTF8.self)
                if !currentCheckpoints.contains(name) { checkpoints.append(name) }
                return true
            }
        }
        return StaleTables(databases: databases, checkpoints: checkpoints)
    }

    /// Whether there is nothing stale.
    public var isEmpty: Bool { databases.isEmpty && checkpoints.isEmpty }

    /// Drops these databases and deletes these checkpoints, in one write transaction (all or nothing).
    public func drop(environment: Environment) throws {
        let meta = try environment.openDatabase(LogTables.metaName, flags: [])
        let handles = try databases.map { try environment.openDatabase($0.name, flags: []) }
        try environment.write { txn in
            for db in handles { try txn.drop(db, delete: true) }
            for key in checkpoints { _ = try txn.delete(meta, key: Array(key.utf8)) }
        }
    }
}
