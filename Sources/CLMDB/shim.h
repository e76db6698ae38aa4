#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
#include <lmdb.h>
#include <stdint.h>

/* Offsets into an LMDB 0.9 meta page (data format version 1, 64-bit): a 16-byte page header, then
 * `MDB_meta` { uint32 mm_magic; uint32 mm_version; void *mm_address; size_t mm_mapsize; MDB_db mm_dbs[2] (48 bytes
 * each); pgno_t mm_last_pg; txnid_t mm_txnid; }. `mdb.c` keeps these types private; the Swift side checks the magic
 * and version before it relies on them. */
enum {
    CLMDB_META_MAGIC_OFFSET = 16,
    CLMDB_META_VERSION_OFFSET = 20,
    CLMDB_META_TXNID_OFFSET = 144,
    CLMDB_META_MAGIC = 0xBEEFC0DE,
    CLMDB_META_DATA_VERSION = 1,
};

/* Reads a 64-bit field of a meta page that another thread or process may be rewriting (acquire load). */
static inline uint64_t clmdb_load_meta_u64(const void *page, unsigned offset) {
    return __atomic_load_n((const uint64_t *)((const char *)page + offset), __ATOMIC_ACQUIRE);
}

static inline uint32_t clmdb_load_meta_u32(const void *page, unsigned offset) {
    return __atomic_load_n((const uint32_t *)((const char *)page + offset), __ATOMIC_ACQUIRE);
}
#endif
