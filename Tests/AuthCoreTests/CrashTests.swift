import AuthCore
import AuthCrypto
import EventLog
import Foundation
import LMDB
import ProjectionRebuild
import TestSupport
import Testing

/// Collects a child's stdout on a background thread until EOF.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }.start()
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    func waitForEOF() { done.wait() }
}

@Suite("Crash safety", .serialized)
struct CrashTests {
    @Test("SIGKILL at random moments never loses an acknowledged event; chain and projections stay consistent")
    func killRounds() async throws {
        let dir = try TemporaryDirectory("crash")
        defer { dir.remove() }
        let executable = Paths.executable("authbench")
        var acknowledged: [UInt64: String] = [:]
        var rng = SystemRandomNumberGenerator()
        let rounds = 12
        for round in 1...rounds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["crash-writer", "--data", dir.path, "--appenders", "16"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let output = OutputCollector(pipe.fileHandleForReading)
            // Wait until it is appending, then kill it at a random moment.
            let start = Date()
            while !output.text.contains("ack ") && Date().timeIntervalSince(start) < 30 {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &rng)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            output.waitForEOF()
            #expect(process.terminationReason == .uncaughtSignal)
            var roundAcks = 0
            for line in output.text.split(separator: "\n") where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                // A line cut by the kill is incomplete: only whole lines count as acknowledgements.
                guard parts.count == 3, parts[2].count == 64, let seq = UInt64(parts[1]) else { continue }
                acknowledged[seq] = String(parts[2])
                roundAcks += 1
            }
            #expect(roundAcks > 0, "round \(round): the writer acknowledged nothing")
            #expect(!output.text.contains("error "), "round \(round): the writer reported an error")

            // Reopen exactly as the server would (stale reader slots of the dead process are cleared).
            let store = try EventStore(path: dir.path, projections: DomainProjections.all)
            try store.environment.clearStaleReaders()
            let head = try store.head()
            try store.read { context in
                for (seq, hash) in acknowledged {
                    let event = try #require(try context.event(seq), "acknowledged seq \(seq) lost in round \(round)")
                    #expect(Encoding.hex(event.hash) == hash, "seq \(seq) differs from what was acknowledged")
                }
            }
            #expect(head.seq >= acknowledged.keys.max() ?? 0)
            let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
            #expect(report.chainFailure == nil, "round \(round): \(String(describing: report.chainFailure))")
            #expect(report.ok, "round \(round): projections diverge from a rebuild: \(String(describing: report.divergence))")
            store.close()
        }
        #expect(acknowledged.count > 100)
        print("crash test: \(rounds) SIGKILL rounds, \(acknowledged.count) acknowledged events, all present, chain and projections verified")
    }
}
