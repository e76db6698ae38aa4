import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only mapping of the two meta pages of an environment's data file, to check which snapshot a read
/// transaction took.
///
/// LMDB 0.9 begins a read transaction in two steps: it reads the id `n` of the last committed write transaction
/// from the lock file, then copies the meta page in slot `n & 1` (the writer alternates between the two pages). It
/// does not check that the slot still holds `n`. A reader preempted between the two steps while the writer commits
/// twice more copies the meta page of transaction `n + 2` (or later), whose commit may not even have returned yet:
/// the reader sees a newer snapshot than the id its reader slot registers, and the next reader may see an older one
/// again. A stress run of one writer and three readers on two cores saw this about ten times a second.
///
/// After the copy, the slot holds `n` only if it held `n` when the reader copied it: a slot's id only grows, and the
/// writer writes the id last (left open: the writer's single `pwrite` of that slot spanning both the copy and the
/// check). ``Environment`` begins a read transaction again whenever ``holds(_:)`` is false, so every reader sees
/// exactly the snapshot `n` it registered, and snapshots never go backwards. The check is one load.
///
/// `@unchecked Sendable`: the mapping is read-only and lives as long as the instance.
final class MetaPages: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let pageSize: Int

    /// Maps the meta pages of `env`'s data file (through LMDB's own descriptor: no descriptor is opened or closed,
    /// so the process keeps its locks).
    init(env: OpaquePointer) throws(LMDBError) {
        precondition(MemoryLayout<Int>.size == 8, "the meta page offsets are those of a 64-bit build of LMDB")
        var stat = MDB_stat()
        try LMDBError.check(mdb_env_stat(env, &stat))
        var fd: Int32 = -1
        try LMDBError.check(mdb_env_get_fd(env, &fd))
        pageSize = Int(stat.ms_psize)
        guard let mapped = mmap(nil, 2 * pageSize, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw LMDBError(code: errno)
        }
        base = mapped
        for slot in 0..<2 {
            let page = UnsafeRawPointer(base + slot * pageSize)
            guard clmdb_load_meta_u32(page, UInt32(CLMDB_META_MAGIC_OFFSET)) == UInt32(CLMDB_META_MAGIC),
                  clmdb_load_meta_u32(page, UInt32(CLMDB_META_VERSION_OFFSET)) == UInt32(CLMDB_META_DATA_VERSION)
            else {
                munmap(base, 2 * pageSize)
                throw LMDBError(code: MDB_VERSION_MISMATCH)
            }
        }
    }

    deinit {
        munmap(base, 2 * pageSize)
    }

    /// The id of the write transaction whose meta page slot `slot` (0 or 1) holds now.
    func transactionID(slot: Int) -> UInt64 {
        clmdb_load_meta_u64(UnsafeRawPointer(base + (slot & 1) * pageSize), UInt32(CLMDB_META_TXNID_OFFSET))
    }

    /// Whether the read transaction `txn` took the snapshot its id names: its meta page slot still holds that id.
    func holds(_ txn: OpaquePointer) -> Bool {
        let id = mdb_txn_id(txn)
        return transactionID(slot: id & 1) == UInt64(id)
    }
}
