/// The rows a statement returned, copied out of libpq's result (binary format), so they outlive it.
public struct PostgresRows: Sendable {
    /// The rows; each column is its binary value, or nil for SQL NULL.
    public let rows: [[[UInt8]?]]
    /// Rows changed by an INSERT, UPDATE or DELETE (0 for others).
    public let affected: Int

    /// The number of rows.
    public var count: Int { rows.count }

    /// The `bytea` (or `text` bytes) at `row`, `column`; throws if NULL.
    public func bytes(_ row: Int, _ column: Int) throws(PostgresError) -> [UInt8] {
        guard let value = rows[row][column] else { throw .unexpectedResult("column \(column) is NULL") }
        return value
    }

    /// The `bigint` at `row`, `column`.
    public func int64(_ row: Int, _ column: Int) throws(PostgresError) -> Int64 {
        let value = try bytes(row, column)
        guard value.count == 8 else { throw .unexpectedResult("column \(column) has \(value.count) bytes, not an int8") }
        return Int64(bitPattern: value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// The `text` at `row`, `column`.
    public func text(_ row: Int, _ column: Int) throws(PostgresError) -> String {
        String(decoding: try bytes(row, column), as: UTF8.self)
    }
}
