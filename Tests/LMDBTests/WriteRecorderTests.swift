import Foundation
import LMDB
import Testing
import TestSupport

@Suite("LMDB: write sets")
struct WriteRecorderTests {
    @Test("the writes recorded in one environment, applied to another, give the same contents")
    func replay() throws {
        let source = try TemporaryDirectory("ws-source")
        defer { source.remove() }
        let target = try TemporaryDirectory("ws-target")
        defer { target.remove() }
        let a = try Environment(path: source.path)
        let b = try Environment(path: target.path)
        let one = try a.openDatabase("one")
        let two = try a.openDatabase("two")
        try a.write { txn in try txn.put(one, key: [9], value: [9, 9]) }
        let recorder = WriteRecorder()
        try a.write { txn in
            txn.recorder = recorder
            try txn.put(one, key: [1], value: [1, 2, 3])
            try txn.put(two, key: Array("k".utf8), value: [])
            try txn.put(one, key: [2], value: Array(repeating: 7, count: 5_000))
            try txn.delete(one, key: [1])
            #expect(try !txn.delete(one, key: [200]))  // absent: nothing recorded
            try [3, 4].withUnsafeBytes { key in try [5].withUnsafeBytes { value in try txn.put(two, key: key, value: value) } }
        }
        #expect(recorder.count == 5)
        let decoded = try RecordedWrite.decode(recorder.bytes)
        #expect(decoded.map(\.database) == ["one", "two", "one", "one", "two"])
        #expect(decoded[3].database == "one" && decoded[3].key == [1] && decoded[3].kind == .delete)
        try b.write { txn in try txn.apply(writeSet: recorder.bytes) }
        func contents(_ env: Environment, _ name: String) throws -> [[UInt8]: [UInt8]] {
            let db = try env.openDatabase(name)
            return try env.read { txn in
                var all: [[UInt8]: [UInt8]] = [:]
                try txn.forEach(db) { key, value in
                    all[key] = value
                    return true
                }
                return all
            }
        }
        var expectedOne = try contents(a, "one")
        expectedOne[[9]] = nil  // written before recording
        #expect(try contents(b, "one") == expectedOne)
        #expect(try contents(b, "two") == contents(a, "two"))
    }

    @Test("a truncated or unknown write set is refused, not misapplied")
    func malformed() throws {
        let recorder = WriteRecorder()
        let dir = try TemporaryDirectory("ws-bad")
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t")
        try env.write { txn in
            txn.recorder = recorder
            try txn.put(db, key: [1], value: [2, 3])
        }
        #expect(throws: LMDBError.self) { try RecordedWrite.decode(Array(recorder.bytes.dropLast())) }
        #expect(throws: LMDBError.self) { try RecordedWrite.decode([9] + recorder.bytes.dropFirst()) }
    }
}
