import CLMDB

/// Zero-copy access for bulk work (rebuilds, digests, verification): keys and values are handed out as pointers into
/// the memory map instead of copies.
///
/// The buffers are valid only until the transaction ends, and in a write transaction only until the next write:
/// copy what must outlive that.
extension Transaction {
    /// Visits entries in key order from the first key ≥ `start` (or the first key) until `body` returns false,
    /// passing key and value in place.
    public func forEachInPlace(
        _ db: Database, from start: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let cursor = try InPlaceCursor(self, db)
        defer { cursor.close() }
        var entry = try start.map { try cursor.seek($0) } ?? cursor.first()
        while let (key, value) = entry {
            guard try body(key, value) else { return }
            entry = try cursor.next()
        }
    }

    /// Calls `body` with the value stored under `key` in place (nil when absent); the buffer is valid only during
    /// the call.
    public func withValue<R>(
        _ db: Database, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        var k = MDB_val(key)
        var v = MDB_val()
        let rc = mdb_get(txn, db.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return try body(nil) }
        try LMDBError.check(rc)
        return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Stores `value` under `key`, both given in place.
    public func put(
        _ db: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []
    ) throws(LMDBError) {
        writes += 1
        var k = MDB_val(key)
        var v = MDB_val(value)
        try LMDBError.check(mdb_put(txn, db.dbi, &k, &v, flags.rawValue))
        recorder?.record(.put, db, key: key, value: value)
    }

    /// Deletes `key`, given in place; returns whether it was present.
    @discardableResult
    public func delete(_ db: Database, key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        writes += 1
        var k = MDB_val(key)
        let rc = mdb_del(txn, db.dbi, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc)
        recorder?.record(.delete, db, key: key, value: nil as UnsafeRawBufferPointer?)
        return true
    }

    /// Runs `body` with an appender that writes into `db` in ascending key order (`MDB_APPEND` through one cursor,
    /// so no search from the root per entry). Keys must sort after every key already in `db`.
    public func append<R>(to db: Database, _ body: (inout Appender) throws -> R) throws -> R {
        writes += 1
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn, db.dbi, &cursor))
        defer { mdb_cursor_close(cursor) }
        var appender = Appender(cursor: cursor!, recorder: recorder, db: db)
        return try body(&appender)
    }

    /// Writes entries in ascending key order through one cursor (see ``Transaction/append(to:_:)``).
    public struct Appender {
        let cursor: OpaquePointer
        let recorder: WriteRecorder?
        let db: Database
        /// Entries written so far.
        public private(set) var count = 0

        /// Appends `key` → `value`; `key` must sort after the previous one.
        @inline(__always)
        public mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(LMDBError) {
            var k = MDB_val(key)
            var v = MDB_val(value)
            try LMDBError.check(mdb_cursor_put(cursor, &k, &v, UInt32(MDB_APPEND)))
            recorder?.record(.put, db, key: key, value: value)
            count += 1
        }

        /// Appends `key` → `value`; `key` must sort after the previous one.
        public mutating func append(key: [UInt8], value: [UInt8]) throws(LMDBError) {
            let rc = key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    var k = MDB_val(k)
                    var v = MDB_val(v)
                    return mdb_cursor_put(cursor, &k, &v, UInt32(MDB_APPEND))
                }
            }
            try LMDBError.check(rc)
            recorder?.record(.put, db, key: key, value: value)
            count += 1
        }
    }
}

/// A cursor that hands out entries in place; closed by its owner before the transaction ends.
public final class InPlaceCursor {
    private let cursor: OpaquePointer
    private var closed = false

    /// An entry as pointers into the map.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    /// Opens a cursor on `db` in `txn`.
    public init(_ txn: Transaction, _ db: Database) throws(LMDBError) {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn.txn, db.dbi, &cursor))
        self.cursor = cursor!
    }

    /// Closes the cursor (idempotent). Must be called before the transaction ends.
    public func close() {
        if !closed { mdb_cursor_close(cursor) }
        closed = true
    }

    deinit { close() }

    @inline(__always)
    private func move(_ op: MDB_cursor_op, _ k: inout MDB_val) throws(LMDBError) -> Entry? {
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, op)
        return try entry(rc, k, v)
    }

    @inline(__always)
    private func entry(_ rc: Int32, _ k: MDB_val, _ v: MDB_val) throws(LMDBError) -> Entry? {
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc)
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry.
    public func first() throws(LMDBError) -> Entry? {
        var k = MDB_val()
        return try move(MDB_FIRST, &k)
    }

    /// The next entry.
    @inline(__always)
    public func next() throws(LMDBError) -> Entry? {
        var k = MDB_val()
        return try move(MDB_NEXT, &k)
    }

    /// The first entry whose key is ≥ `key`.
    public func seek(_ key: [UInt8]) throws(LMDBError) -> Entry? {
        // MDB_SET_RANGE returns the found key in `k`, pointing into the map (not into `key`).
        var k = MDB_val()
        var v = MDB_val()
        let rc = key.withUnsafeBytes { bytes in
            k = MDB_val(bytes)
            return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
        }
        return try entry(rc, k, v)
    }
}
