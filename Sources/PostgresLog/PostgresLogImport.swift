import EventLog
import Postgres

/// Writes a whole log into an EMPTY shared log in ONE PostgreSQL transaction (`authctl migrate --to`): the commits
/// that bootstrap a replica (``SharedCommit``: write sets of the source environment's tables) and every event into
/// `authd_log`, then the head. Nothing is visible to other connections before ``finish(_:)`` commits; an error, or
/// dropping the importer unfinished, rolls everything back.
///
/// Creating it creates the tables if needed (as ``PostgresSharedLog`` does), begins the transaction, locks the
/// head row (so no node appends meanwhile) and refuses a shared log that holds anything (``NotEmpty``).
public final class PostgresLogImport {
    /// The shared log already holds commits or events: a migration only fills an empty one.
    public struct NotEmpty: Error, CustomStringConvertible, Sendable {
        /// Its newest commit.
        public let commit: UInt64
        /// Its newest event.
        public let seq: UInt64
        public var description: String {
            "the shared log is not empty (commit \(commit), seq \(seq)): a migration only fills an empty one"
        }
    }

    private let connection: PostgresConnection
    private var open = true
    private var pendingEvents: [PostgresSharedLog.EventRow] = []
    /// Events per INSERT (3 parameters each; PostgreSQL takes at most 65,535 per statement).
    private let eventsPerStatement = 2_000

    /// Connects to `url`, creates the tables if needed, begins the transaction and checks the shared log is empty.
    public init(url: String) throws {
        let connection = try PostgresSharedLog.mapped { () throws(PostgresError) in try PostgresConnection(url: url) }
        self.connection = connection
        try PostgresSharedLog.mapped { () throws(PostgresError) in try PostgresSharedLog.createSchema(on: connection) }
        let rows = try run { (connection: PostgresConnection) throws(PostgresError) -> (UInt64, UInt64, Int64) in
            try connection.query("BEGIN")
            let head = try connection.query("SELECT commit_no, seq FROM authd_head WHERE id = 1 FOR UPDATE")
            guard head.count == 1 else { throw .unexpectedResult("authd_head has \(head.count) rows") }
            let present = try connection.query(
                "SELECT (SELECT count(*) FROM (SELECT 1 FROM authd_log LIMIT 1) l) + (SELECT count(*) FROM (SELECT 1 FROM authd_commits LIMIT 1) c)")
            return (UInt64(bitPattern: try head.int64(0, 0)), UInt64(bitPattern: try head.int64(0, 1)), try present.int64(0, 0))
        }
        guard rows.0 == 0, rows.1 == 0, rows.2 == 0 else {
            rollback()
            throw NotEmpty(commit: rows.0, seq: rows.1)
        }
    }

    deinit {
        rollback()
    }

    /// Adds a commit (its number, the head a replica has after applying it, its write set).
    public func add(_ commit: SharedCommit) throws {
        try run { (connection: PostgresConnection) throws(PostgresError) in
            try connection.query(
                "INSERT INTO authd_commits VALUES ($1, $2, $3, $4, $5)",
                [
                    .int64(Int64(bitPattern: commit.number)), .int64(Int64(bitPattern: commit.head.seq)), .bytes(commit.head.hash),
                    .int64(commit.head.timestamp.microseconds), .bytes(commit.writes),
                ])
        }
    }

    /// Adds one event of `authd_log` (inserted in batches).
    public func addEvent(seq: UInt64, hash: [UInt8], event: [UInt8]) throws {
        pendingEvents.append((Int64(bitPattern: seq), hash, event))
        if pendingEvents.count >= eventsPerStatement { try flushEvents() }
    }

    /// Sets the position named `name` (`authd_positions`: the notifier's, shared by all nodes) to `value`.
    public func setPosition(_ name: String, _ value: UInt64) throws {
        try run { (connection: PostgresConnection) throws(PostgresError) in
            try connection.query(PostgresSharedLog.upsertPosition, [.text(name), .int64(Int64(bitPattern: value))])
        }
    }

    /// Sets the shared head to `head` and commits the transaction: the migration becomes visible at once, whole.
    public func finish(_ head: SharedHead) throws {
        try flushEvents()
        try run { (connection: PostgresConnection) throws(PostgresError) in
            try connection.query(
                "UPDATE authd_head SET commit_no = $1, seq = $2, hash = $3, ts = $4 WHERE id = 1",
                [
                    .int64(Int64(bitPattern: head.commit)), .int64(Int64(bitPattern: head.head.seq)), .bytes(head.head.hash),
                    .int64(head.head.timestamp.microseconds),
                ])
            try connection.query("COMMIT")
        }
        open = false
    }

    /// Abandons the migration: nothing of it is kept (idempotent).
    public func rollback() {
        guard open else { return }
        open = false
        _ = try? connection.query("ROLLBACK")
    }

    private func flushEvents() throws {
        guard !pendingEvents.isEmpty else { return }
        var parameters: [PostgresValue] = []
        let rows = PostgresSharedLog.eventRows(pendingEvents, from: 1, into: &parameters)
        pendingEvents.removeAll(keepingCapacity: true)
        try run { (connection: PostgresConnection) throws(PostgresError) in
            try connection.query("INSERT INTO authd_log (seq, hash, event) VALUES " + rows, parameters)
        }
    }

    /// Runs `body` on the connection, mapping errors as the shared log does (and ending the transaction on one).
    @discardableResult
    private func run<R>(_ body: (PostgresConnection) throws(PostgresError) -> R) throws -> R {
        do {
            return try PostgresSharedLog.mapped { () throws(PostgresError) in try body(connection) }
        } catch {
            rollback()
            throw error
        }
    }
}
