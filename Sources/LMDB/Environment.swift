import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB environment: one directory holding a memory-mapped B+tree file with named databases.
///
/// Readers never block the single writer (MVCC). The memory map grows by itself: a write that hits
/// `MDB_MAP_FULL` is aborted, the map is doubled (up to ``maxMapSize``) and the write runs again.
/// A map grown by another process (`MDB_MAP_RESIZED`) is adopted the same way.
/// `@unchecked Sendable`: the `MDB_env` is thread-safe for transactions (`MDB_NOTLS`); map resizes are serialised by `ResizeLock`.
public final class Environment: @unchecked Sendable {
    private let env: OpaquePointer
    private let resizeLock = ResizeLock()
    /// Checks that each read transaction took the snapshot its id names (see ``MetaPages``).
    private let metaPages: MetaPages
    /// The directory of the environment.
    public let path: String
    /// The largest map size the environment grows to before writes fail with ``LMDBError/mapFull``.
    public let maxMapSize: Int

    /// Options for opening an environment.
    public struct Options: Sendable {
        /// Initial map size in bytes (virtual address space; the file grows only as data is written).
        public var mapSize: Int = 1 << 30
        /// Upper bound for automatic map growth.
        public var maxMapSize: Int = 1 << 40
        /// Maximum number of named databases.
        public var maxDatabases: UInt32 = 64
        /// Maximum number of concurrent read transactions across all processes.
        public var maxReaders: UInt32 = 510
        /// Open read-only (for audit tools on a live or backed-up directory).
        public var readOnly = false
        /// Skip fsync on commit. Never set in production: acknowledged writes could be lost on power failure.
        public var noSync = false
        /// Creates the default options: durable commits, 1 GiB initial map growing to 1 TiB.
        public init() {}
    }

    /// Opens (creating if needed) the environment in `path`, which must be a directory, and clears the reader
    /// slots of dead processes (``clearStaleReaders()``).
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        var handle: OpaquePointer?
        try LMDBError.check(mdb_env_create(&handle))
        guard let handle else { throw LMDBError(code: ENOMEM) }
        self.env = handle
        self.path = path
        self.maxMapSize = options.maxMapSize
        let metaPages: MetaPages
        do {
            try LMDBError.check(mdb_env_set_maxdbs(handle, MDB_dbi(options.maxDatabases)))
            try LMDBError.check(mdb_env_set_maxreaders(handle, options.maxReaders))
            try LMDBError.check(mdb_env_set_mapsize(handle, options.mapSize))
            if !options.readOnly { mkdir(path, 0o700) }
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            try LMDBError.check(mdb_env_open(handle, path, flags, 0o600))
            metaPages = try MetaPages(env: handle)
            // Slots left by processes killed inside a read transaction would pin old pages (see clearStaleReaders).
            var dead: Int32 = 0
            try LMDBError.check(mdb_reader_check(handle, &dead))
        } catch {
            mdb_env_close(handle)
            throw error
        }
        self.metaPages = metaPages
    }

    deinit {
        mdb_env_close(env)
    }

    /// Opens a named database, creating it when `flags` contains `.create` (which needs a writable environment).
    public func openDatabase(_ name: String, flags: DatabaseFlags = [.create]) throws(LMDBError) -> Database {
        let readOnly = !flags.contains(.create)
        do {
            return try withTransaction(readOnly: readOnly) { (txn: Transaction) throws(LMDBError) -> Database in
                var dbi: MDB_dbi = 0
                try LMDBError.check(mdb_dbi_open(txn.txn, name, flags.rawValue, &dbi))
                return Database(dbi: dbi, name: name, isDupSort: flags.contains(.dupSort))
            }
        } catch let error as LMDBError {
            throw error
        } catch {
            preconditionFailure("unreachable: only LMDB errors are thrown here")
        }
    }

    /// The names of the environment's named databases, in key order (they are the keys of LMDB's main database).
    public func databaseNames() throws -> [String] {
        try read { txn in
            var main: MDB_dbi = 0
            try LMDBError.check(mdb_dbi_open(txn.txn, nil, 0, &main))
            var names: [String] = []
            try txn.forEachInPlace(Database(dbi: main, name: "", isDupSort: false)) { key, _ in
                names.append(String(decoding: key, as: UTF8.self))
                return true
            }
            return names
        }
    }

    /// Opens a named database if it exists; `nil` if it does not.
    public func openExistingDatabase(_ name: String, dupSort: Bool = false) throws(LMDBError) -> Database? {
        do {
            return try openDatabase(name, flags: dupSort ? [.dupSort, .dupFixed] : [])
        } catch where error == .notFound {
            return nil
        }
    }

    /// Runs `body` in a read-only snapshot. Readers never block the writer and see a consistent state.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        try withTransaction(readOnly: true, body)
    }

    /// Runs `body` in the single write transaction and commits it durably (fsync) when it returns.
    ///
    /// If the map fills up, the transaction is aborted, the map grown, and `body` runs again: it must not have
    /// side effects outside the transaction. If `body` throws, nothing is written.
    public func write<R>(_ body: (Transaction) throws -> R) throws -> R {
        try withTransaction(readOnly: false, body)
    }

    /// Runs `body` with two read-only transactions on the same snapshot, for two threads to read it in parallel
    /// (each transaction used by one thread at a time).
    public func readPair<R>(_ body: (Transaction, Transaction) throws -> R) throws -> R {
        while true {
            let outcome: Result<R, any Error>? = resizeLock.withShared { () -> Result<R, any Error>? in
                var first: OpaquePointer?
                var rc = beginRead(&first)
                if rc == MDB_MAP_RESIZED { return nil }
                guard rc == 0, let first else { return .failure(LMDBError(code: rc)) }
                // A commit between the two begins gives the second a newer snapshot: begin it again. (`beginRead`
                // makes equal ids mean equal snapshots.)
                var second: OpaquePointer?
                for _ in 0..<1_000 {
                    rc = beginRead(&second)
                    guard rc == 0, let opened = second else { break }
                    if mdb_txn_id(opened) == mdb_txn_id(first) { break }
                    mdb_txn_abort(opened)
                    second = nil
                }
                guard rc == 0, let second else {
                    mdb_txn_abort(first)
                    if rc == MDB_MAP_RESIZED { return nil }
                    return .failure(LMDBError(code: rc == 0 ? MDB_BAD_TXN : rc))
                }
                let a = Transaction(txn: first, readOnly: true)
                let b = Transaction(txn: second, readOnly: true)
                defer {
                    a.abort()
                    b.abort()
                }
                return Result { try body(a, b) }
            }
            if let outcome { return try outcome.get() }
            try grow()
        }
    }

    private func withTransaction<R, E: Error>(readOnly: Bool, _ body: (Transaction) throws(E) -> R) throws -> R {
        while true {
            let outcome: Result<R, any Error>? = resizeLock.withShared { () -> Result<R, any Error>? in
                var txnPointer: OpaquePointer?
                let rc = readOnly ? beginRead(&txnPointer) : mdb_txn_begin(env, nil, 0, &txnPointer)
                if rc == MDB_MAP_RESIZED { return nil }
                guard rc == 0, let txnPointer else { return .failure(LMDBError(code: rc)) }
                let txn = Transaction(txn: txnPointer, readOnly: readOnly)
                do {
                    let value = try body(txn)
                    // Read-only transactions are committed too: a database handle opened in a transaction
                    // survives only if that transaction commits.
                    let commitRC = txn.commit()
                    if commitRC == MDB_MAP_FULL { return nil }
                    if commitRC != 0 { return .failure(LMDBError(code: commitRC)) }
                    return .success(value)
                } catch let error as LMDBError where error == .mapFull || error == .mapResized {
                    txn.abort()
                    return nil
                } catch {
                    txn.abort()
                    return .failure(error)
                }
            }
            if let outcome { return try outcome.get() }
            try grow()
        }
    }

    /// Begins a read-only transaction on exactly the snapshot its id names: one that copied a newer meta page
    /// (``MetaPages``) is aborted and begun again.
    private func beginRead(_ txn: inout OpaquePointer?) -> Int32 {
        while true {
            let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            guard rc == 0, let opened = txn else { return rc }
            if metaPages.holds(opened) { return 0 }
            mdb_txn_abort(opened)
            txn = nil
        }
    }

    /// Whether the read transaction `txn` still holds the snapshot its id names (for tests of ``MetaPages``).
    func snapshotIsCurrent(_ txn: Transaction) -> Bool { metaPages.holds(txn.txn) }

    /// The id in meta page slot `slot` (for tests of ``MetaPages``).
    func metaTransactionID(slot: Int) -> UInt64 { metaPages.transactionID(slot: slot) }

    /// Doubles the map (or adopts a size grown by another process).
    private func grow() throws(LMDBError) {
        try resizeLock.withExclusive { () throws(LMDBError) in
            var info = MDB_envinfo()
            mdb_env_info(env, &info)
            // Adopt a size set by another process first.
            try LMDBError.check(mdb_env_set_mapsize(env, 0))
            var after = MDB_envinfo()
            mdb_env_info(env, &after)
            if after.me_mapsize > info.me_mapsize { return }
            let next = info.me_mapsize * 2
            guard next <= maxMapSize else { throw LMDBError.mapFull }
            try LMDBError.check(mdb_env_set_mapsize(env, next))
        }
    }

    /// The current size of the memory map in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_mapsize
    }

    /// Bytes used by the data file (last used page × page size).
    public var usedBytes: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// Copies the environment to `directory` as a consistent snapshot; `compact` omits free pages.
    public func copy(to directory: String, compact: Bool = true) throws(LMDBError) {
        try LMDBError.check(mdb_env_copy2(env, directory, compact ? UInt32(MDB_CP_COMPACT) : 0))
    }

    /// Copies the environment as a consistent snapshot into a new file `path` (created exclusively with `mode`,
    /// never following or replacing an existing file) and fsyncs it; `compact` omits free pages.
    public func copy(toFile path: String, mode: mode_t = 0o600, compact: Bool = true) throws(LMDBError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw LMDBError(code: errno) }
        defer { close(fd) }
        // Exactly `mode`, whatever the umask.
        guard fchmod(fd, mode) == 0 else { throw LMDBError(code: errno) }
        try LMDBError.check(mdb_env_copyfd2(env, fd, compact ? UInt32(MDB_CP_COMPACT) : 0))
        guard fsync(fd) == 0 else { throw LMDBError(code: errno) }
    }

    /// Flushes buffers to disk (only needed with `noSync`).
    public func sync() throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(env, 1))
    }

    /// Clears the reader-table slots of processes that died holding them (`mdb_reader_check`); returns how many.
    ///
    /// A process killed (e.g. `kill -9`) inside a read transaction leaves its slot behind. Such a slot pins that
    /// old snapshot: pages freed after it are never reused, so the data file grows with every write, and enough of
    /// them fill the reader table (`MDB_READERS_FULL`). Cheap (one pass over the table); safe at any time and from
    /// any process that has the environment open, read-only ones included.
    @discardableResult
    public func clearStaleReaders() throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try LMDBError.check(mdb_reader_check(env, &dead))
        return Int(dead)
    }

    /// The maximum key size this build of LMDB accepts.
    public var maxKeySize: Int { Int(mdb_env_get_maxkeysize(env)) }
}
