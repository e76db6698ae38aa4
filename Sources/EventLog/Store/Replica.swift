import LMDB

/// A node's LMDB environment as the replica of a ``SharedLog``: which log it copies (meta `shared/store`) and up to
/// which commit (meta `shared/commit`). Commits are applied in order, each as the write set the committing node
/// recorded, so every replica passes through the same states as the node that wrote them.
enum Replica {
    static let commitKey = Array("shared/commit".utf8)
    static let storeKey = Array("shared/store".utf8)
    /// Commits fetched per round trip while catching up.
    static let fetchLimit = 256

    /// The number of the last commit applied to this replica (0 for none).
    static func commit(_ txn: Transaction, _ tables: LogTables) throws -> UInt64 {
        guard let value = try txn.get(tables.meta, key: commitKey) else { return 0 }
        guard let number = EventCodec.seq(fromKey: value) else { throw EventStoreError.corrupt("shared/commit has \(value.count) bytes") }
        return number
    }

    static func setCommit(_ number: UInt64, _ txn: Transaction, _ tables: LogTables) throws {
        let saved = txn.recorder
        txn.recorder = nil
        defer { txn.recorder = saved }
        try txn.put(tables.meta, key: commitKey, value: EventCodec.seqKey(number))
    }

    /// Applies the shared log's commits after the replica's in `txn`, until there are none (or `limit` commits
    /// were applied); returns the replica's commit number after them.
    @discardableResult
    static func catchUp(_ txn: Transaction, _ tables: LogTables, _ shared: any SharedLog, limit: Int = .max) throws -> UInt64 {
        var local = try commit(txn, tables)
        var applied = 0
        while applied < limit {
            let commits = try shared.commits(after: local, limit: min(fetchLimit, limit - applied))
            if commits.isEmpty { break }
            for commit in commits {
                guard commit.number == local + 1 else {
                    throw EventStoreError.diverged("expected commit \(local + 1) from the shared log, got \(commit.number)")
                }
                let writes = try RecordedWrite.decode(commit.writes)
                try verifyChain(of: writes, in: commit, after: try LogHead.read(txn, tables))
                try txn.apply(writes)
                local = commit.number
                let head = try LogHead.read(txn, tables)
                guard head == commit.head else {
                    throw EventStoreError.diverged("after commit \(commit.number) the replica's head is \(head), the shared log's \(commit.head)")
                }
            }
            applied += commits.count
        }
        try setCommit(local, txn, tables)
        return local
    }

    /// Checks the events a commit appends before applying it: they follow `head` without a gap and each hash is
    /// the chain hash of its bytes, so a shared log whose events were altered is refused, not copied.
    static func verifyChain(of writes: [RecordedWrite], in commit: SharedCommit, after head: LogHead) throws {
        var previous = head
        for write in writes where write.database == LogTables.logName {
            guard case .put(let stored) = write.kind, stored.count > 32, let seq = EventCodec.seq(fromKey: write.key) else {
                throw EventStoreError.diverged("commit \(commit.number) changes the log other than by appending an event")
            }
            let hash = Array(stored[0..<32])
            guard seq == previous.seq + 1,
                hash == EventCodec.chainHash(previous: previous.hash, seq: seq, eventBytes: stored[32...])
            else {
                throw EventStoreError.diverged("commit \(commit.number): event \(seq) does not continue the hash chain")
            }
            previous = LogHead(seq: seq, hash: hash, timestamp: previous.timestamp)
        }
    }

    /// Binds `environment` to `shared` (refusing a replica of another log, a standalone log, or a replica ahead of
    /// the shared log) and applies every commit it lacks, in transactions of bounded size.
    static func open(environment: Environment, tables: LogTables, shared: any SharedLog) throws {
        let identity = try shared.storeIdentity()
        let latest = try shared.latestCommit()
        try environment.write { txn in
            let local = try commit(txn, tables)
            if let bound = try txn.get(tables.meta, key: storeKey) {
                guard bound == identity else {
                    throw EventStoreError.diverged("this data directory is the replica of another shared log")
                }
            } else {
                guard try LogHead.read(txn, tables) == .empty else {
                    throw EventStoreError.diverged(
                        "this data directory holds a log of its own; copy it into the shared log with `authctl migrate`")
                }
                try txn.put(tables.meta, key: storeKey, value: identity)
            }
            guard local <= latest else {
                throw EventStoreError.diverged(
                    "the shared log's newest commit is \(latest) but this node applied \(local): the shared log lost acknowledged commits "
                        + "(for example a failover to a standby that was not synchronous)")
            }
        }
        while true {
            let (before, after) = try environment.write { txn in
                (try commit(txn, tables), try catchUp(txn, tables, shared, limit: 4_096))
            }
            if after == before { break }
        }
    }
}
