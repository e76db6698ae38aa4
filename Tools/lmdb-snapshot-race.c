/*
 * Stress test of LMDB's read-transaction begin, outside Swift: one writer commits as fast as it can (no fsync),
 * each commit storing its own transaction id under one key; readers begin read transactions in a loop and compare
 * the stored id with their transaction's id. A difference means the reader copied the meta page of a later commit
 * than the one its id (and its reader slot) names; "backwards" counts a reader seeing an older id than its previous
 * read. With `guard` 1, each reader checks its meta page slot after the begin and begins again if the slot moved on,
 * as the LMDB target's `Environment` does (see docs/ARCHITECTURE.md, "Reads").
 *
 *   cc -O2 -o lmdb-snapshot-race Tools/lmdb-snapshot-race.c -llmdb -lpthread
 *   ./lmdb-snapshot-race SECONDS READERS GUARD      e.g. ./lmdb-snapshot-race 10 3 0
 *
 * The meta page offset and its load come from the LMDB target's own shim (Sources/CLMDB/shim.h), the ones
 * `MetaPages` uses.
 */
#include "../Sources/CLMDB/shim.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, mdb_strerror(rc_)); exit(1); } } while (0)

static MDB_env *env;
static MDB_dbi dbi;
static atomic_int stop;
static long commits;
static int guard;
static const char *metas;
static size_t page_size;

struct tally { long reads, foreign, backwards, errors, repeated; };

static void *writer(void *unused) {
    (void)unused;
    while (!atomic_load(&stop)) {
        MDB_txn *txn;
        CHECK(mdb_txn_begin(env, NULL, 0, &txn));
        uint64_t id = mdb_txn_id(txn);
        MDB_val key = {1, "n"}, value = {8, &id};
        CHECK(mdb_put(txn, dbi, &key, &value, 0));
        CHECK(mdb_txn_commit(txn));
        commits++;
    }
    return NULL;
}

static void *reader(void *arg) {
    struct tally *t = arg;
    uint64_t last = 0;
    while (!atomic_load(&stop)) {
        MDB_txn *txn;
        CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
        while (guard) {
            size_t id = mdb_txn_id(txn);
            uint64_t slot = clmdb_load_meta_u64(metas + (id & 1) * page_size, CLMDB_META_TXNID_OFFSET);
            if (slot == id) break;
            t->repeated++;
            mdb_txn_abort(txn);
            CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
        }
        MDB_val key = {1, "n"}, value;
        int rc = mdb_get(txn, dbi, &key, &value);
        if (rc == 0) {
            uint64_t seen;
            memcpy(&seen, value.mv_data, 8);
            if (seen != mdb_txn_id(txn)) t->foreign++;
            if (seen < last) t->backwards++;
            last = seen;
        } else if (rc != MDB_NOTFOUND) {
            t->errors++;
        }
        mdb_txn_abort(txn);
        t->reads++;
    }
    return NULL;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 10, readers = argc > 2 ? atoi(argv[2]) : 3;
    guard = argc > 3 ? atoi(argv[3]) : 0;
    if (readers < 1 || readers > 16) readers = 3;
    char dir[] = "/tmp/lmdb-snapshot-race.XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_mapsize(env, 1 << 26));
    CHECK(mdb_env_open(env, dir, MDB_NOSYNC | MDB_NOTLS, 0600));
    MDB_stat stat;
    CHECK(mdb_env_stat(env, &stat));
    page_size = stat.ms_psize;
    int fd;
    CHECK(mdb_env_get_fd(env, &fd));
    metas = mmap(NULL, 2 * page_size, PROT_READ, MAP_SHARED, fd, 0);
    if (metas == MAP_FAILED) { perror("mmap"); return 1; }
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, 0, &txn));
    CHECK(mdb_dbi_open(txn, NULL, 0, &dbi));
    CHECK(mdb_txn_commit(txn));

    pthread_t w, r[16];
    struct tally t[16];
    memset(t, 0, sizeof t);
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < readers; i++) pthread_create(&r[i], NULL, reader, &t[i]);
    sleep(seconds);
    atomic_store(&stop, 1);
    pthread_join(w, NULL);
    struct tally sum = {0};
    for (int i = 0; i < readers; i++) {
        pthread_join(r[i], NULL);
        sum.reads += t[i].reads; sum.foreign += t[i].foreign; sum.backwards += t[i].backwards;
        sum.errors += t[i].errors; sum.repeated += t[i].repeated;
    }
    printf("guard: %d\ncommits: %ld\nreads: %ld\nforeign_snapshots: %ld\nbackwards: %ld\nerrors: %ld\nbegins_repeated: %ld\n",
           guard, commits, sum.reads, sum.foreign, sum.backwards, sum.errors, sum.repeated);
    mdb_env_close(env);
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/data.mdb", dir); unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", dir); unlink(path);
    rmdir(dir);
    return sum.foreign || sum.backwards || sum.errors ? 2 : 0;
}
