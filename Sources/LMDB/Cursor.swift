import CLMDB

/// A position in a database, valid only within the transaction that opened it.
public final class Cursor {
    private let cursor: OpaquePointer
    private var closed = false

    init(cursor: OpaquePointer) { self.cursor = cursor }

    /// Closes the cursor; called by the owning transaction before it ends (LMDB frees write cursors on commit).
    func close() {
        if !closed { mdb_cursor_close(cursor) }
        closed = true
    }

    deinit { close() }

    /// A key/value pair (copied out of the map).
    public typealias Entry = (key: [UInt8], value: [UInt8])

    private func move(_ op: MDB_cursor_op, key: [UInt8]? = nil) throws(LMDBError) -> Entry? {
        var k = MDB_val()
        var v = MDB_val()
        let rc: Int32
        if let key {
            rc = key.withUnsafeBytes { keyBytes in
                k = MDB_val(keyBytes)
                return mdb_cursor_get(cursor, &k, &v, op)
            }
        } else {
            rc = mdb_cursor_get(cursor, &k, &v, op)
        }
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc)
        return (Transaction.copy(k), Transaction.copy(v))
    }

    /// The first entry.
    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry.
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// The next entry (for dup-sort databases, the next value, then the next key).
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// The previous entry.
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The first entry whose key is ≥ `key`.
    public func seek(_ key: [UInt8]) throws(LMDBError) -> Entry? { try move(MDB_SET_RANGE, key: key) }
    /// The entry with exactly `key`.
    public func find(_ key: [UInt8]) throws(LMDBError) -> Entry? { try move(MDB_SET_KEY, key: key) }
}
