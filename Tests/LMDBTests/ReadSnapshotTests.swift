import Foundation
import LMDB
import TestSupport
import Testing

/// ``Environment/read(_:)`` on many threads while the writer commits.
@Suite("LMDB environment: read snapshots")
struct ReadSnapshotTests {
    static func key(_ index: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(index).bigEndian) { Array($0) } }

    @Test("readers on many threads see snapshots that only move forward, within the reader slots")
    func concurrentReadersMoveForward() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = Environment.Options()
        // Slots are held only by readers that run at once (16 here).
        options.maxReaders = 20
        let env = try Environment(path: dir.path, options: options)
        let db = try env.openDatabase("t")
        try env.write { txn in try txn.put(db, key: [1], value: Self.key(0)) }
        let writes = 300
        let failures = ReadFailures()
        let group = DispatchGroup()
        for _ in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                var last = 0
                while last < writes {
                    do {
                        let seen = try env.read { txn -> Int in
                            guard let bytes = try txn.get(db, key: [1]) else { return -1 }
                            return Int(bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) })
                        }
                        if seen < last { failures.add("went back from \(last) to \(seen)") }
                        last = max(last, seen)
                    } catch {
                        failures.add("\(error)")
                        return
                    }
                }
            }.start()
        }
        for index in 1...writes {
            try env.write { txn in try txn.put(db, key: [1], value: Self.key(index)) }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.all.isEmpty)
    }
}

/// Failures seen by reader threads.
private final class ReadFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
