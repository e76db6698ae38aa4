import CLibPQ
import Glibc

/// One connection to PostgreSQL through libpq, used by one thread at a time (libpq's blocking API: the log's writer
/// thread owns one, the follower another). Statements take binary parameters and return binary rows.
///
/// The password is never part of the URL the server is given on the command line: libpq reads `PGPASSWORD` or the
/// password file (`PGPASSFILE`, default `~/.pgpass`) itself.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    /// The connection URL (`postgres://USER@HOST:PORT/DB?...`).
    public let url: String

    /// Connects to `url`; throws ``PostgresError/connection(_:)`` if the server cannot be reached or refuses.
    public init(url: String) throws(PostgresError) {
        self.url = url
        try connect()
    }

    deinit { if let handle { PQfinish(handle) } }

    /// Whether the connection is up (as far as libpq knows without a round trip).
    public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Closes the connection and opens a new one.
    public func reconnect() throws(PostgresError) {
        if let handle { PQfinish(handle) }
        handle = nil
        try connect()
    }

    private func connect() throws(PostgresError) {
        // Defaults the URL may override (the application name), the URL (expanded), then what it may not: a bounded
        // connect time and TCP keepalives (a dead server is noticed within about 25 s even without traffic).
        let keys = ["application_name", "dbname", "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count"]
        let values = ["authd", url, "5", "10", "5", "3"]
        let conn: OpaquePointer? = withCStrings(keys) { keyPointers in
            withCStrings(values) { valuePointers in PQconnectdbParams(keyPointers, valuePointers, 1) }
        }
        guard let conn else { throw .connection("out of memory") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.message(conn)
            PQfinish(conn)
            throw .connection(message)
        }
        PQsetNoticeProcessor(conn, { _, _ in }, nil)  // NOTICEs (e.g. "relation already exists") are not errors
        handle = conn
    }

    /// Runs `sql` (one statement, parameters `$1`…) and returns its rows; a connection that was lost is reopened
    /// first only when `reopen` is true (never inside a transaction, whose state a new connection would not have).
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresRows {
        guard let conn = handle, PQstatus(conn) == CONNECTION_OK else {
            throw .connection(handle.map(Self.message) ?? "not connected")
        }
        let wires = parameters.map(\.wire)
        var buffer: [UInt8] = []
        var offsets: [Int] = []
        for wire in wires {
            offsets.append(buffer.count)
            buffer.append(contentsOf: wire)
        }
        buffer.append(0)  // never empty, so every parameter (even an empty bytea) gets a non-null pointer
        let types = parameters.map { Oid($0.oid) }
        let lengths = wires.map { Int32($0.count) }
        let formats = [Int32](repeating: 1, count: parameters.count)
        let result: OpaquePointer? = buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { base.advanced(by: $0).assumingMemoryBound(to: CChar.self) }
            return PQexecParams(conn, sql, Int32(parameters.count), types, pointers, lengths, formats, 1)
        }
        guard let result else { throw .connection(Self.message(conn)) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            if PQstatus(conn) != CONNECTION_OK { throw .connection(Self.message(conn)) }
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
            if state.isEmpty { throw .connection(Self.trimmed(message)) }
            throw .server(sqlState: state, message: Self.trimmed(message))
        }
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var rows: [[[UInt8]?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var columns: [[UInt8]?] = []
            columns.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) != 0 {
                    columns.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                let value = PQgetvalue(result, Int32(row), Int32(column))!
                columns.append(value.withMemoryRebound(to: UInt8.self, capacity: length) { [UInt8](UnsafeBufferPointer(start: $0, count: length)) })
            }
            rows.append(columns)
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        return PostgresRows(rows: rows, affected: affected)
    }

    /// Waits up to `milliseconds` for a `NOTIFY` on a channel this connection `LISTEN`s to; returns the payloads of
    /// the notifications received (empty after a timeout).
    public func notifications(waitingUpTo milliseconds: Int32) throws(PostgresError) -> [String] {
        guard let conn = handle, PQstatus(conn) == CONNECTION_OK else {
            throw .connection(handle.map(Self.message) ?? "not connected")
        }
        var channels = Self.drain(conn)
        if !channels.isEmpty { return channels }
        var descriptor = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0 && errno != EINTR { throw .connection("poll failed (errno \(errno))") }
        if ready > 0 {
            guard PQconsumeInput(conn) == 1 else { throw .connection(Self.message(conn)) }
            channels = Self.drain(conn)
        }
        return channels
    }

    private static func drain(_ conn: OpaquePointer) -> [String] {
        var channels: [String] = []
        while let notice = PQnotifies(conn) {
            channels.append(String(cString: notice.pointee.extra))
            PQfreemem(notice)
        }
        return channels
    }

    private static func message(_ conn: OpaquePointer) -> String {
        trimmed(PQerrorMessage(conn).map { String(cString: $0) } ?? "unknown error")
    }

    private static func trimmed(_ message: String) -> String {
        var text = Substring(message)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}

/// Calls `body` with a NULL-terminated array of C strings copied from `strings` (valid only during the call).
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
