import Foundation
import LMDB
import TestSupport
import Testing

/// Starts `authbench hold-reader` on `directory`, waits until it is inside its read transaction, and kills it with
/// SIGKILL there (as a crashed `authctl verify` would die), leaving its reader slot behind.
private func killReaderInsideTransaction(_ directory: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.executable("authbench"))
    process.arguments = ["hold-reader", "--data", directory]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    var output = Data()
    while !String(decoding: output, as: UTF8.self).contains("holding") {
        let chunk = pipe.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        output.append(chunk)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(String(decoding: output, as: UTF8.self).contains("holding"), "the reader never began its transaction")
    #expect(process.terminationReason == .uncaughtSignal)
}

/// Overwrites 64 records of 1,500 bytes `rounds` times, one write transaction per round; returns how many bytes the
/// data file's used pages grew by (freed pages that can be reused are, so without a pinned snapshot this stays small).
private func overwriteLoad(_ env: Environment, _ db: Database, rounds: Int) throws -> Int {
    let before = env.usedBytes
    for round in 0..<rounds {
        try env.write { txn in
            for key in 0..<64 {
                try txn.put(db, key: [UInt8(key)], value: [UInt8](repeating: UInt8(truncatingIfNeeded: round), count: 1_500))
            }
        }
    }
    return env.usedBytes - before
}

@Suite("LMDB stale reader slots", .serialized)
struct StaleReaderTests {
    @Test("a reader killed inside its transaction pins freed pages until clearStaleReaders clears its slot")
    func killedReaderPinsUntilCleared() throws {
        let dir = try TemporaryDirectory("stale-reader")
        defer { dir.remove() }
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("blobs")
        _ = try overwriteLoad(env, db, rounds: 10)  // steady state: the freelist holds a few rounds of pages
        try killReaderInsideTransaction(dir.path)

        // The dead reader's snapshot is pinned: every overwritten page is new file space.
        let pinnedGrowth = try overwriteLoad(env, db, rounds: 40)
        #expect(pinnedGrowth > 1 << 20, "growth with the stale slot: \(pinnedGrowth) bytes")

        let cleared = try env.clearStaleReaders()
        #expect(cleared >= 1)
        #expect(try env.clearStaleReaders() == 0)
        // Freed pages are reused again: the same load barely grows the file.
        let clearedGrowth = try overwriteLoad(env, db, rounds: 40)
        #expect(clearedGrowth < 256 << 10, "growth after clearing: \(clearedGrowth) bytes (pinned: \(pinnedGrowth))")
        #expect(clearedGrowth * 8 < pinnedGrowth)
        print("stale reader: pinned growth \(pinnedGrowth) bytes, cleared \(cleared) slot(s), then growth \(clearedGrowth) bytes")
    }

    @Test("opening an environment clears the slots of readers that died inside a transaction")
    func openClearsStaleSlots() throws {
        let dir = try TemporaryDirectory("stale-reader-open")
        defer { dir.remove() }
        do {
            let env = try Environment(path: dir.path)
            let db = try env.openDatabase("blobs")
            _ = try overwriteLoad(env, db, rounds: 10)  // steady state: the freelist holds a few rounds of pages
        }
        try killReaderInsideTransaction(dir.path)

        let env = try Environment(path: dir.path)
        #expect(try env.clearStaleReaders() == 0, "the open should have cleared the dead reader's slot")
        let db = try env.openDatabase("blobs")
        let growth = try overwriteLoad(env, db, rounds: 40)
        #expect(growth < 256 << 10, "growth after reopening: \(growth) bytes")
    }
}
