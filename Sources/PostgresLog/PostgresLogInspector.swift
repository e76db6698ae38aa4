import EventLog
import Postgres

/// Reads the PostgreSQL engine's tables for audits (`authctl verify --store`) and migrations: the shared head and
/// the events of `authd_log` in seq order, on a connection of its own, in one repeatable-read snapshot (a consistent
/// view while nodes keep appending). Read-only: it creates nothing.
public final class PostgresLogInspector {
    private let connection: PostgresConnection

    /// The shared head of the snapshot: the store's identity, the newest commit and the log head.
    public let storeIdentity: [UInt8]
    /// The newest commit and the log head, as `authd_head` holds them in the snapshot.
    public let head: SharedHead

    /// Connects to `url` and opens the snapshot; ``EventStoreError/unavailable(_:)`` if the database cannot be
    /// reached, ``EventStoreError/corrupt(_:)`` if it holds no shared log.
    public init(url: String) throws {
        let connection = try PostgresSharedLog.mapped { () throws(PostgresError) in try PostgresConnection(url: url) }
        self.connection = connection
        let rows = try PostgresSharedLog.mapped { () throws(PostgresError) -> PostgresRows in
            try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let exists = try connection.query("SELECT to_regclass('authd_head') IS NOT NULL AND to_regclass('authd_log') IS NOT NULL")
            guard try exists.bytes(0, 0) == [1] else { throw .unexpectedResult("there is no shared log (no authd_head and authd_log tables)") }
            return try connection.query("SELECT store_id, commit_no, seq, hash, ts FROM authd_head WHERE id = 1")
        }
        guard rows.count == 1 else { throw EventStoreError.corrupt("authd_head has \(rows.count) rows") }
        (storeIdentity, head) = try PostgresSharedLog.mapped { () throws(PostgresError) -> ([UInt8], SharedHead) in
            (
                try rows.bytes(0, 0),
                SharedHead(
                    commit: UInt64(bitPattern: try rows.int64(0, 1)),
                    head: LogHead(
                        seq: UInt64(bitPattern: try rows.int64(0, 2)), hash: try rows.bytes(0, 3),
                        timestamp: Timestamp(microseconds: try rows.int64(0, 4))))
            )
        }
    }

    deinit {
        _ = try? connection.query("ROLLBACK")
    }

    /// The position named `name` in `authd_positions` (the notifier's), nil if none was set.
    public func position(_ name: String) throws -> UInt64? {
        let rows = try PostgresSharedLog.mapped { [connection] () throws(PostgresError) -> PostgresRows in
            try connection.query("SELECT position FROM authd_positions WHERE name = $1", [.text(name)])
        }
        guard rows.count == 1 else { return nil }
        return UInt64(bitPattern: try PostgresSharedLog.mapped { () throws(PostgresError) in try rows.int64(0, 0) })
    }

    /// The bytes of the write sets of commits 1 through `commit`.
    public func writeSetBytes(through commit: UInt64) throws -> Int {
        let rows = try PostgresSharedLog.mapped { [connection] () throws(PostgresError) -> PostgresRows in
            try connection.query(
                "SELECT coalesce(sum(octet_length(writes)), 0)::bigint FROM authd_commits WHERE commit_no <= $1",
                [.int64(Int64(bitPattern: commit))])
        }
        return Int(try PostgresSharedLog.mapped { () throws(PostgresError) in try rows.int64(0, 0) })
    }

    /// Calls `body` with each event of `authd_log` (seq, chain hash, event bytes) in seq order, fetched `batch` rows
    /// per round trip, until it returns false.
    public func forEachEvent(batch: Int = 2_048, _ body: (_ seq: UInt64, _ hash: [UInt8], _ event: [UInt8]) throws -> Bool) throws {
        var after: Int64 = -1
        while true {
            let rows = try PostgresSharedLog.mapped { [connection] () throws(PostgresError) -> PostgresRows in
                try connection.query(
                    "SELECT seq, hash, event FROM authd_log WHERE seq > $1 ORDER BY seq LIMIT $2", [.int64(after), .int64(Int64(batch))])
            }
            for row in 0..<rows.count {
                let (seq, hash, event) = try PostgresSharedLog.mapped { () throws(PostgresError) -> (Int64, [UInt8], [UInt8]) in
                    (try rows.int64(row, 0), try rows.bytes(row, 1), try rows.bytes(row, 2))
                }
                guard try body(UInt64(bitPattern: seq), hash, event) else { return }
                after = seq
            }
            if rows.count < batch { return }
        }
    }
}
