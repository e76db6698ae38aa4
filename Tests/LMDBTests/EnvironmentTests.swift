import Foundation
import TestSupport
import LMDB
import Testing

@Suite("LMDB environment")
struct EnvironmentTests {
    @Test("put, get, delete and cursor order")
    func basicOperations() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        try env.write { txn in
            try txn.put(db, key: [2], value: [20])
            try txn.put(db, key: [1], value: [10])
            try txn.put(db, key: [1, 0], value: [15])
        }
        try env.read { (txn: Transaction) throws in
            #expect(try txn.get(db, key: [1]) == [10])
            #expect(try txn.get(db, key: [9]) == nil)
            var keys: [[UInt8]] = []
            try txn.forEach(db) { key, _ in
                keys.append(key)
                return true
            }
            #expect(keys == [[1], [1, 0], [2]])
            #expect(try txn.count(db) == 3)
        }
        #expect(try env.write { txn in try txn.delete(db, key: [1]) })
        #expect(try !env.write { txn in try txn.delete(db, key: [1]) })
    }

    @Test("noOverwrite reports keyExists, append rejects out-of-order keys")
    func putFlags() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        try env.write { txn in try txn.put(db, key: [5], value: [1]) }
        #expect(throws: LMDBError.keyExists) {
            try env.write { txn in try txn.put(db, key: [5], value: [2], flags: [.noOverwrite]) }
        }
        #expect(throws: LMDBError.self) {
            try env.write { txn in try txn.put(db, key: [1], value: [2], flags: [.append]) }
        }
        #expect(try env.read { txn in try txn.get(db, key: [5]) } == [1])
    }

    @Test("a throwing write commits nothing")
    func abortedWrite() throws {
        struct Boom: Error {}
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        #expect(throws: Boom.self) {
            try env.write { txn in
                try txn.put(db, key: [1], value: [1])
                throw Boom()
            }
        }
        #expect(try env.read { txn in try txn.get(db, key: [1]) } == nil)
    }

    @Test("a failed nested transaction leaves the parent intact")
    func nestedTransactions() throws {
        struct Boom: Error {}
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        try env.write { (txn: Transaction) throws in
            try txn.put(db, key: [1], value: [1])
            #expect(throws: Boom.self) {
                try txn.nested { child in
                    try child.put(db, key: [2], value: [2])
                    throw Boom()
                }
            }
            try txn.nested { child in try child.put(db, key: [3], value: [3]) }
        }
        try env.read { (txn: Transaction) throws in
            #expect(try txn.get(db, key: [1]) == [1])
            #expect(try txn.get(db, key: [2]) == nil)
            #expect(try txn.get(db, key: [3]) == [3])
        }
    }

    @Test("the map grows by itself when full, and each read sees every commit made before it")
    func mapGrowth() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = Environment.Options()
        options.mapSize = 256 * 1024
        let env = try Environment(path: dir.path, options: options)
        let db = try env.openDatabase("t")
        let value = [UInt8](repeating: 7, count: 1000)
        for batch in 0..<20 {
            try env.write { txn in
                for index in 0..<100 {
                    try txn.put(db, key: withUnsafeBytes(of: UInt32(batch * 100 + index).bigEndian) { Array($0) }, value: value)
                }
                try txn.put(db, key: [0xFF], value: [UInt8(batch)])
            }
            for _ in 0..<3 {
                try env.read { (txn: Transaction) throws in
                    #expect(try txn.get(db, key: [0xFF]) == [UInt8(batch)])
                    #expect(try txn.count(db) == (batch + 1) * 100 + 1)
                }
            }
        }
        #expect(env.mapSize > 256 * 1024)
        #expect(try env.read { txn in try txn.count(db) } == 2001)
    }

    @Test("a map that cannot grow further fails with mapFull, not a crash")
    func mapLimit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = Environment.Options()
        options.mapSize = 128 * 1024
        options.maxMapSize = 256 * 1024
        let env = try Environment(path: dir.path, options: options)
        let db = try env.openDatabase("t")
        let value = [UInt8](repeating: 7, count: 4000)
        #expect(throws: LMDBError.mapFull) {
            for index in 0..<1000 {
                try env.write { txn in try txn.put(db, key: withUnsafeBytes(of: UInt32(index).bigEndian) { Array($0) }, value: value) }
            }
        }
    }

    @Test("a reader's snapshot does not block or see a concurrent write")
    func readersDoNotBlockWriter() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        try env.write { txn in try txn.put(db, key: [1], value: [1]) }
        try env.read { (txn: Transaction) throws in
            // The writer commits while this snapshot is open (on another thread, so no lock is shared).
            let done = DispatchSemaphore(value: 0)
            Thread {
                try? env.write { w in try w.put(db, key: [1], value: [2]) }
                done.signal()
            }.start()
            #expect(done.wait(timeout: .now() + 10) == .success)
            #expect(try txn.get(db, key: [1]) == [1])
        }
        #expect(try env.read { txn in try txn.get(db, key: [1]) } == [2])
    }

    @Test("copy produces a readable compacted snapshot")
    func copy() throws {
        let dir = try TemporaryDirectory()
        let target = try TemporaryDirectory("copy")
        defer {
            dir.remove()
            target.remove()
        }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        try env.write { txn in try txn.put(db, key: [1], value: [9]) }
        try env.copy(to: target.path)
        var options = Environment.Options()
        options.readOnly = true
        let copy = try Environment(path: target.path, options: options)
        let copied = try copy.openDatabase("t", flags: [])
        #expect(try copy.read { txn in try txn.get(copied, key: [1]) } == [9])
    }
}
