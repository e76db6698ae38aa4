/// An error from PostgreSQL or from the connection to it: the one type every libpq failure becomes.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made or was lost (the server is down, unreachable or restarting). A command that
    /// met this may or may not have committed if it was the `COMMIT` itself.
    case connection(String)
    /// The server refused a statement: its SQLSTATE and message.
    case server(sqlState: String, message: String)
    /// A result did not have the shape the caller expected (a column's type or size).
    case unexpectedResult(String)

    /// Whether the error is the connection's (retrying on a new connection may succeed) rather than a statement's.
    public var isConnectionError: Bool {
        switch self {
        case .connection: return true
        // Class 08 (connection exception), 57P (operator intervention: shutdown, crash recovery), 53 (insufficient
        // resources), 40001/40P01 (serialization failure, deadlock: the transaction may be run again).
        case .server(let state, _):
            return state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") || state == "40001" || state == "40P01"
        case .unexpectedResult: return false
        }
    }

    /// A one-line description (libpq's message without its trailing newline).
    public var description: String {
        switch self {
        case .connection(let message): return "PostgreSQL connection: \(message)"
        case .server(let state, let message): return "PostgreSQL \(state): \(message)"
        case .unexpectedResult(let message): return "PostgreSQL result: \(message)"
        }
    }
}
