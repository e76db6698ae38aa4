import Foundation
import Synchronization
import TestSupport
@testable import LMDB
import Testing

/// Read transactions see exactly the snapshot their id names (``MetaPages``).
@Suite("LMDB read snapshots")
struct SnapshotTests {
    /// Commits a write whose value is its own transaction id, on another thread (as a concurrent writer would).
    private static func commitID(_ env: Environment, _ db: Database) throws -> Int {
        let result = Mutex<Result<Int, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let outcome = Result {
                try env.write { txn in
                    try txn.put(db, key: [1], value: Self.bytes(txn.snapshotID))
                    return txn.snapshotID
                }
            }
            result.withLock { $0 = outcome }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 30) == .success else { throw LMDBError(code: ETIMEDOUT) }
        return try result.withLock { $0! }.get()
    }

    private static func bytes(_ id: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(id).littleEndian) { Array($0) } }

    @Test("the meta pages name each commit, in alternating slots, as LMDB's own environment info does")
    func metaPagesFollowCommits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        for _ in 0..<5 {
            let id = try Self.commitID(env, db)
            #expect(env.metaTransactionID(slot: id & 1) == UInt64(id))
            #expect(env.metaTransactionID(slot: (id + 1) & 1) == UInt64(id - 1))
            try env.read { (txn: Transaction) throws in
                #expect(txn.snapshotID == id)
                #expect(env.snapshotIsCurrent(txn))
                #expect(try txn.get(db, key: [1]) == Self.bytes(id))
            }
        }
    }

    @Test("a reader whose meta page slot was rewritten by two later commits is told apart")
    func overwrittenSlotIsDetected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        let first = try Self.commitID(env, db)
        try env.read { (txn: Transaction) throws in
            #expect(txn.snapshotID == first)
            #expect(env.snapshotIsCurrent(txn))
            // One more commit writes the other slot: this reader's slot still holds its id.
            _ = try Self.commitID(env, db)
            #expect(env.snapshotIsCurrent(txn))
            // The next writes this reader's slot: a reader copying it now would get a newer snapshot than its id.
            let third = try Self.commitID(env, db)
            #expect(third == first + 2)
            #expect(!env.snapshotIsCurrent(txn))
            // The snapshot this reader copied earlier is untouched.
            #expect(try txn.get(db, key: [1]) == Self.bytes(first))
        }
    }

    @Test("under a fast writer, every reader sees the snapshot its id names, and snapshots never go backwards")
    func concurrentReadersSeeTheirSnapshot() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = Environment.Options()
        options.noSync = true
        let env = try Environment(path: dir.path, options: options)
        let db = try env.openDatabase("t")
        _ = try Self.commitID(env, db)
        let stop = Atomic<Bool>(false)
        let commits = Atomic<Int>(0)
        struct Tally { var reads = 0, foreign = 0, backwards = 0, errors = 0 }
        let tally = Mutex(Tally())
        let group = DispatchGroup()
        func run(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            Thread {
                body()
                group.leave()
            }.start()
        }
        run {
            while !stop.load(ordering: .relaxed) {
                do {
                    try env.write { txn in try txn.put(db, key: [1], value: Self.bytes(txn.snapshotID)) }
                    commits.add(1, ordering: .relaxed)
                } catch {
                    tally.withLock { $0.errors += 1 }
                    return
                }
            }
        }
        for _ in 0..<3 {
            run {
                var mine = Tally()
                var last = 0
                while !stop.load(ordering: .relaxed) {
                    do {
                        try env.read { txn in
                            guard let value = try txn.get(db, key: [1]) else { return }
                            let seen = value.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
                            if seen != txn.snapshotID { mine.foreign += 1 }
                            if seen < last { mine.backwards += 1 }
                            last = seen
                        }
                        mine.reads += 1
                    } catch {
                        mine.errors += 1
                    }
                }
                tally.withLock {
                    $0.reads += mine.reads
                    $0.foreign += mine.foreign
                    $0.backwards += mine.backwards
                    $0.errors += mine.errors
                }
            }
        }
        Thread.sleep(forTimeInterval: 2)
        stop.store(true, ordering: .relaxed)
        #expect(group.wait(timeout: .now() + 60) == .success)
        let result = tally.withLock { $0 }
        #expect(commits.load(ordering: .relaxed) > 100)
        #expect(result.reads > 1_000)
        #expect(result.errors == 0)
        #expect(result.foreign == 0, "readers saw a snapshot other than the one their id names")
        #expect(result.backwards == 0)
    }
}
