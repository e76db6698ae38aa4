import EventLog
import Foundation
import LMDB
import Postgres

/// The PostgreSQL engine: a ``SharedLog`` in three tables, so that several authd nodes serve one log.
///
/// - `authd_head` (one row): the store's identity, the newest commit's number and the log head. Every batch that
///   writes locks this row (`SELECT … FOR UPDATE`) until it commits, so appends are serialized across nodes:
///   sequence numbers are gapless and position order is commit order (a reader following the log cannot skip
///   an event).
/// - `authd_log (seq, hash, event)`: the events and their chain hashes, as in the LMDB log.
/// - `authd_commits (commit_no, seq, hash, ts, writes)`: each batch's LMDB write set, which every node applies to
///   its replica in commit order.
///
/// Each commit also sends `NOTIFY authd_commit` (payload: the committing process's node id), so the other nodes
/// catch up at once; they also poll once a second.
///
/// `@unchecked Sendable`: the writer connection is used only by the store's writer thread (and by the store's open,
/// before that thread starts); the probe connection and the availability flag are guarded by `lock`.
public final class PostgresSharedLog: SharedLog, @unchecked Sendable {
    /// The connection URL (no password: libpq reads `PGPASSWORD` or the password file).
    public let url: String
    /// A random id of this process, sent with each commit's notification so a node ignores its own.
    let nodeID = (0..<8).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
    private let writer: PostgresConnection
    private var inTransaction = false
    private let guardLock = NSLock()
    private var probe: PostgresConnection?
    /// The connection whose session holds the leases (advisory locks) this process took.
    private var leases: PostgresConnection?
    private var heldLeases: Set<String> = []
    private var available = true

    /// How often a follower polls the head when no notification came (milliseconds).
    public var pollInterval: Int32 = 1_000

    /// Connects to `url` and creates the tables if they do not exist (in the connection's `search_path` schema).
    public init(url: String) throws {
        self.url = url
        let connection = try Self.mapped { () throws(PostgresError) in try PostgresConnection(url: url) }
        try Self.mapped { () throws(PostgresError) in try Self.createSchema(on: connection) }
        writer = connection
    }

    static func createSchema(on connection: PostgresConnection) throws(PostgresError) {
        try connection.query("BEGIN")
        do {
            // Nodes starting together: one creates, the others wait and find the tables there.
            try connection.query("SELECT pg_advisory_xact_lock(7260342011)")
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS authd_head (
                    id smallint PRIMARY KEY CHECK (id = 1), store_id bytea NOT NULL, commit_no bigint NOT NULL,
                    seq bigint NOT NULL, hash bytea NOT NULL, ts bigint NOT NULL)
                """)
            try connection.query("CREATE TABLE IF NOT EXISTS authd_log (seq bigint PRIMARY KEY, hash bytea NOT NULL, event bytea NOT NULL)")
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS authd_commits (
                    commit_no bigint PRIMARY KEY, seq bigint NOT NULL, hash bytea NOT NULL, ts bigint NOT NULL, writes bytea NOT NULL)
                """)
            try connection.query("CREATE TABLE IF NOT EXISTS authd_positions (name text PRIMARY KEY, position bigint NOT NULL)")
            let identity = (0..<16).map { _ in UInt8.random(in: 0...255) }
            try connection.query(
                "INSERT INTO authd_head VALUES (1, $1, 0, 0, $2, 0) ON CONFLICT (id) DO NOTHING",
                [.bytes(identity), .bytes(LogHead.empty.hash)])
            try connection.query("COMMIT")
        } catch {
            _ = try? connection.query("ROLLBACK")
            throw error
        }
    }

    // MARK: SharedLog

    public func storeIdentity() throws -> [UInt8] {
        try probing { connection in try connection.query("SELECT store_id FROM authd_head WHERE id = 1").bytes(0, 0) }
    }

    public func latestCommit() throws -> UInt64 {
        try probing { connection in
            UInt64(bitPattern: try connection.query("SELECT commit_no FROM authd_head WHERE id = 1").int64(0, 0))
        }
    }

    public func lock() throws -> SharedHead {
        rollback()
        return try writing {
            if !writer.isOpen { try writer.reconnect() }
            do {
                try writer.query("BEGIN")
            } catch let error as PostgresError where error.isConnectionError {
                // The server may have restarted since the last batch: one new connection.
                try writer.reconnect()
                try writer.query("BEGIN")
            }
            inTransaction = true
            let rows = try writer.query("SELECT commit_no, seq, hash, ts FROM authd_head WHERE id = 1 FOR UPDATE")
            guard rows.count == 1 else { throw PostgresError.unexpectedResult("authd_head has \(rows.count) rows") }
            return SharedHead(
                commit: UInt64(bitPattern: try rows.int64(0, 0)),
                head: LogHead(
                    seq: UInt64(bitPattern: try rows.int64(0, 1)), hash: try rows.bytes(0, 2),
                    timestamp: Timestamp(microseconds: try rows.int64(0, 3))))
        }
    }

    public func commits(after: UInt64, limit: Int) throws -> [SharedCommit] {
        try writing {
            if !inTransaction && !writer.isOpen { try writer.reconnect() }
            let rows = try writer.query(
                "SELECT commit_no, seq, hash, ts, writes FROM authd_commits WHERE commit_no > $1 ORDER BY commit_no LIMIT $2",
                [.int64(Int64(bitPattern: after)), .int64(Int64(limit))])
            return try (0..<rows.count).map { row in
                SharedCommit(
                    number: UInt64(bitPattern: try rows.int64(row, 0)),
                    head: LogHead(
                        seq: UInt64(bitPattern: try rows.int64(row, 1)), hash: try rows.bytes(row, 2),
                        timestamp: Timestamp(microseconds: try rows.int64(row, 3))),
                    writes: try rows.bytes(row, 4))
            }
        }
    }

    public func commit(_ commit: SharedCommit) throws {
        let events = try RecordedWrite.decode(commit.writes).compactMap { write -> EventRow? in
            guard write.database == "log", case .put(let stored) = write.kind, stored.count >= 32,
                let seq = EventCodec.seq(fromKey: write.key)
            else { return nil }
            return (Int64(bitPattern: seq), Array(stored[0..<32]), Array(stored[32...]))
        }
        try writing {
            var parameters: [PostgresValue] = [
                .int64(Int64(bitPattern: commit.number)), .int64(Int64(bitPattern: commit.head.seq)), .bytes(commit.head.hash),
                .int64(commit.head.timestamp.microseconds), .bytes(commit.writes), .text(nodeID),
            ]
            // At most 65,535 parameters per statement: very large batches insert their events in chunks first.
            var remaining = events[...]
            while remaining.count > 5_000 {
                let chunk = remaining.prefix(5_000)
                remaining = remaining.dropFirst(5_000)
                var chunkParameters: [PostgresValue] = []
                try writer.query(
                    "INSERT INTO authd_log (seq, hash, event) VALUES " + Self.eventRows(chunk, from: 1, into: &chunkParameters),
                    chunkParameters)
            }
            var statement = "WITH c AS (INSERT INTO authd_commits VALUES ($1, $2, $3, $4, $5))"
            if !remaining.isEmpty {
                statement += ", l AS (INSERT INTO authd_log (seq, hash, event) VALUES " + Self.eventRows(remaining, from: 7, into: &parameters) + ")"
            }
            statement += " UPDATE authd_head SET commit_no = $1, seq = $2, hash = $3, ts = $4 WHERE id = 1 RETURNING pg_notify('authd_commit', $6)"
            try writer.query(statement, parameters)
            inTransaction = false
            try writer.query("COMMIT")
        }
    }

    /// One row of `authd_log`.
    typealias EventRow = (seq: Int64, hash: [UInt8], event: [UInt8])

    /// The `VALUES` list of a multi-row insert into `authd_log`, with placeholders from `$first`; appends the rows'
    /// parameters to `parameters`.
    static func eventRows(_ events: some Collection<EventRow>, from first: Int, into parameters: inout [PostgresValue]) -> String {
        var placeholders: [String] = []
        var index = first
        for event in events {
            placeholders.append("($\(index), $\(index + 1), $\(index + 2))")
            parameters += [.int64(event.seq), .bytes(event.hash), .bytes(event.event)]
            index += 3
        }
        return placeholders.joined(separator: ", ")
    }

    /// Sets a row of `authd_positions` ($1 name, $2 position).
    static let upsertPosition = "INSERT INTO authd_positions VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position"

    public func rollback() {
        guard inTransaction else { return }
        inTransaction = false
        _ = try? writer.query("ROLLBACK")
    }

    public var isAvailable: Bool {
        guardLock.lock()
        defer { guardLock.unlock() }
        return available
    }

    public func position(_ name: String) throws -> UInt64? {
        try probing { connection in
            let rows = try connection.query("SELECT position FROM authd_positions WHERE name = $1", [.text(name)])
            return rows.count == 0 ? nil : UInt64(bitPattern: try rows.int64(0, 0))
        }
    }

    public func setPosition(_ name: String, _ value: UInt64) throws {
        _ = try probing { connection in
            try connection.query(Self.upsertPosition, [.text(name), .int64(Int64(bitPattern: value))])
        }
    }

    public func holdsLease(_ name: String) -> Bool {
        guardLock.lock()
        defer { guardLock.unlock() }
        do {
            if leases == nil || leases?.isOpen == false {
                leases = try PostgresConnection(url: url)
                heldLeases = []
            }
            if heldLeases.contains(name) {
                try leases!.query("SELECT 1")  // the session (and with it the lock) is still there
                return true
            }
            let rows = try leases!.query("SELECT pg_try_advisory_lock(hashtext($1))::int4::int8", [.text("authd:" + name)])
            if try rows.int64(0, 0) == 1 { heldLeases.insert(name) }
            return heldLeases.contains(name)
        } catch {
            leases = nil
            heldLeases = []
            return false
        }
    }

    public func follow(_ onCommits: @escaping @Sendable () -> Void) -> any SharedLogFollower {
        PostgresFollower(log: self, onCommits: onCommits)
    }

    // MARK: Connections and errors

    func setAvailable(_ value: Bool) {
        guardLock.lock()
        available = value
        guardLock.unlock()
    }

    /// Runs `body` on the writer connection; connection errors become ``EventStoreError/unavailable(_:)`` (and end
    /// the transaction: a new connection has none).
    private func writing<R>(_ body: () throws -> R) throws -> R {
        do {
            let value = try body()
            setAvailable(true)
            return value
        } catch let error as PostgresError {
            let mapped = Self.storeError(error, connectionLost: !writer.isOpen)
            if case .unavailable = mapped {
                inTransaction = false
                setAvailable(false)
            }
            throw mapped
        }
    }

    /// Runs `body` on the probe connection (opened on first use, reopened after a failure).
    private func probing<R>(_ body: (PostgresConnection) throws -> R) throws -> R {
        guardLock.lock()
        defer { guardLock.unlock() }
        do {
            if probe == nil || probe?.isOpen == false { probe = try PostgresConnection(url: url) }
            let value = try body(probe!)
            available = true
            return value
        } catch let error as PostgresError {
            probe = nil
            let mapped = Self.storeError(error)
            if case .unavailable = mapped { available = false }
            throw mapped
        }
    }

    static func mapped<R>(_ body: () throws(PostgresError) -> R) throws -> R {
        do {
            return try body()
        } catch {
            throw storeError(error)
        }
    }

    /// The one place a PostgreSQL failure becomes a store error: the database out of reach (or the connection lost)
    /// is ``EventStoreError/unavailable(_:)``, a statement it refused is ``EventStoreError/corrupt(_:)``.
    static func storeError(_ error: PostgresError, connectionLost: Bool = false) -> EventStoreError {
        error.isConnectionError || connectionLost ? .unavailable(error.description) : .corrupt(error.description)
    }
}
