import CLMDB

/// A read or write transaction. Only valid inside the closure that received it; never store it.
///
/// Values returned by the accessors are copies, so they stay valid after the transaction ends.
public final class Transaction {
    let txn: OpaquePointer
    /// Whether this transaction can write.
    public let isReadOnly: Bool
    private var finished = false
    private var cursors: [Cursor] = []
    /// Writes (puts, deletes, drops, appends) made through this transaction so far: a caller can tell whether a step
    /// that failed changed anything (the log's writer rolls back only then).
    public internal(set) var writes = 0
    /// Records every write made through this transaction from now on, if set (see ``WriteRecorder``).
    public var recorder: WriteRecorder?

    /// LMDB's id of the snapshot: for a write transaction, the id its commit will have; for a read transaction, the id
    /// of the last write transaction it sees.
    public var snapshotID: Int { mdb_txn_id(txn) }

    init(txn: OpaquePointer, readOnly: Bool) {
        self.txn = txn
        self.isReadOnly = readOnly
    }

    func commit() -> Int32 {
        closeCursors()
        finished = true
        return mdb_txn_commit(txn)
    }

    private func closeCursors() {
        for cursor in cursors { cursor.close() }
        cursors.removeAll()
    }

    func abort() {
        closeCursors()
        if !finished { mdb_txn_abort(txn) }
        finished = true
    }

    /// Calls `body` with `key` as an `MDB_val` (valid only during the call).
    @inline(__always)
    private func withVal<R>(_ bytes: [UInt8], _ body: (inout MDB_val) -> R) -> R {
        bytes.withUnsafeBytes { buffer in
            var val = MDB_val(buffer)
            return body(&val)
        }
    }

    /// The value stored under `key`, or `nil`.
    public func get(_ db: Database, key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        var v = MDB_val()
        let rc = withVal(key) { k in mdb_get(txn, db.dbi, &k, &v) }
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc)
        return Self.copy(v)
    }

    /// Whether `key` is present.
    public func contains(_ db: Database, key: [UInt8]) throws(LMDBError) -> Bool {
        var v = MDB_val()
        let rc = withVal(key) { k in mdb_get(txn, db.dbi, &k, &v) }
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc)
        return true
    }

    /// Stores `value` under `key`.
    public func put(_ db: Database, key: [UInt8], value: [UInt8], flags: PutFlags = []) throws(LMDBError) {
        writes += 1
        let rc = withVal(key) { k in
            withVal(value) { v in mdb_put(txn, db.dbi, &k, &v, flags.rawValue) }
        }
        try LMDBError.check(rc)
        recorder?.record(.put, db, key: key, value: value)
    }

    /// Deletes `key` (for dup-sort databases: only the pair `key`/`value` when `value` is given).
    /// Returns whether anything was deleted.
    @discardableResult
    public func delete(_ db: Database, key: [UInt8], value: [UInt8]? = nil) throws(LMDBError) -> Bool {
        writes += 1
        let rc = withVal(key) { k in
            if let value {
                return withVal(value) { v in mdb_del(txn, db.dbi, &k, &v) }
            }
            return mdb_del(txn, db.dbi, &k, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc)
        if let value { recorder?.record(.deletePair, db, key: key, value: value) } else { recorder?.record(.delete, db, key: key, value: nil as [UInt8]?) }
        return true
    }

    /// Removes every entry of `db`; with `delete`, also removes the database itself (its handle becomes invalid).
    public func drop(_ db: Database, delete: Bool = false) throws(LMDBError) {
        writes += 1
        try LMDBError.check(mdb_drop(txn, db.dbi, delete ? 1 : 0))
        recorder?.record(.drop, db, key: nil as [UInt8]?, value: nil)
    }

    /// Opens (creating if needed) the database `name` inside this write transaction. The handle stays valid after
    /// the transaction commits (and is closed if it aborts, unless the database was open before).
    public func openDatabase(_ name: String) throws(LMDBError) -> Database {
        var dbi: MDB_dbi = 0
        try LMDBError.check(mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbi))
        return Database(dbi: dbi, name: name, isDupSort: false)
    }

    /// The number of entries in `db`.
    public func count(_ db: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(txn, db.dbi, &stat))
        return stat.ms_entries
    }

    /// The number of entries in `db` and the bytes of its leaf and overflow pages (about what its entries take).
    public func size(_ db: Database) throws(LMDBError) -> (entries: Int, bytes: Int) {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(txn, db.dbi, &stat))
        return (stat.ms_entries, (stat.ms_leaf_pages + stat.ms_overflow_pages) * Int(stat.ms_psize))
    }

    /// Opens a cursor on `db`, valid for the rest of this transaction.
    public func cursor(_ db: Database) throws(LMDBError) -> Cursor {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn, db.dbi, &cursor))
        let opened = Cursor(cursor: cursor!)
        cursors.append(opened)
        return opened
    }

    /// Runs `body` in a nested write transaction: if it throws, only its changes are discarded and the error rethrown;
    /// the parent stays usable.
    public func nested<R>(_ body: (Transaction) throws -> R) throws -> R {
        var child: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(mdb_txn_env(txn), txn, 0, &child))
        let nested = Transaction(txn: child!, readOnly: false)
        do {
            let value = try body(nested)
            let rc = nested.commit()
            try LMDBError.check(rc)
            return value
        } catch {
            nested.abort()
            throw error
        }
    }

    /// Visits entries in key order starting at the first key ≥ `start` (or the first key), until `body` returns false.
    public func forEach(
        _ db: Database, from start: [UInt8]? = nil, _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool
    ) throws {
        let cursor = try cursor(db)
        var entry = try start.map { try cursor.seek($0) } ?? cursor.first()
        while let (key, value) = entry {
            guard try body(key, value) else { return }
            entry = try cursor.next()
        }
    }

    @inline(__always)
    static func copy(_ v: MDB_val) -> [UInt8] {
        guard v.mv_size > 0, let data = v.mv_data else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: v.mv_size))
    }
}

extension MDB_val {
    /// An `MDB_val` pointing at `bytes` (LMDB only reads through it; valid while `bytes` is).
    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        self.init(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }
}
