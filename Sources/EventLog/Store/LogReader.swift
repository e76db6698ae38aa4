import LMDB

/// Read-only access to a log directory, for audit tools: safe while `authd` writes (LMDB readers in other processes
/// never block the writer) and on backup copies. Opens no writer and changes nothing.
public final class LogReader: Sendable {
    /// The environment, opened read-only.
    public let environment: Environment
    let tables: LogTables
    let databases: [String: Database]

    /// Opens `path` read-only with the tables of `projections` that exist there (the stream index is always looked for).
    public init(path: String, projections: [any Projection]) throws {
        var options = Environment.Options()
        options.readOnly = true
        environment = try Environment(path: path, options: options)
        tables = try LogTables(environment: environment, create: false)
        var databases: [String: Database] = [:]
        for name in ([StreamIndex()] + projections).databaseNames {
            if let db = try environment.openExistingDatabase(name) { databases[name] = db }
        }
        self.databases = databases
    }

    /// Runs `body` in one read snapshot.
    public func read<R>(_ body: (ReadContext) throws -> R) throws -> R {
        try environment.read { txn in try body(ReadContext(txn: txn, tables: tables, databases: databases)) }
    }
}
