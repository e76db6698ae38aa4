import AuthCore
import EventLog
import Foundation
import LMDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// authctl's writing commands and a live authd: same projection versions may share the log, other versions are
/// refused before anything is written; a server that stopped (or died) leaves no obstacle.
@Suite struct RunningServerTests {
    func readOnly(_ path: String) throws -> Environment {
        var options = Environment.Options()
        options.readOnly = true
        return try Environment(path: path, options: options)
    }

    @Test func writersRefuseALiveServerOfOtherVersions() async throws {
        let dir = try TemporaryDirectory("running-server")
        defer { dir.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.executable("authd"))
        let port = Int.random(in: 20_000...60_000)
        process.arguments = ["serve", "--data", dir.path, "--listen", "127.0.0.1:\(port)", "--argon2-memory-kib", "1024", "--argon2-iterations", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var server: RunningServer?
        let start = Date()
        // A bound for a loaded CI machine (the parallel suites share two cores): a server that never registers still fails.
        while server == nil && Date().timeIntervalSince(start) < 120 {
            if FileManager.default.fileExists(atPath: dir.path + "/data.mdb") { server = try? RunningServer.live(in: try readOnly(dir.path)) }
            if server == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let live = try #require(server)
        #expect(live.pid == process.processIdentifier)
        #expect(live.versions == RunningServer.versions(of: DomainProjections.all))

        // Same versions: a writer may run beside it.
        let rotate = try ToolRun.run("authctl", ["keys", "rotate", "--data", dir.path])
        #expect(rotate.status == 0, "\(rotate.output)\(rotate.stderr)")

        // The same server, now as if it were of another version: refused, nothing written.
        let store = try EventStore(path: dir.path, projections: DomainProjections.all)
        try store.registerRunningServer(pid: process.processIdentifier, versions: "index.v1,users.v999")
        let head = try store.head()
        store.close()
        for arguments in [["rebuild", "--data", dir.path], ["prune", "--drop", "--data", dir.path], ["keys", "rotate", "--data", dir.path]] {
            let refused = try ToolRun.run("authctl", arguments)
            #expect(refused.status != 0 && !refused.signaled, "\(arguments)")
            #expect(refused.stderr.contains("serves this log with projections index.v1,users.v999"), "\(refused.stderr)")
        }
        #expect(try LogHead.read(environment: try readOnly(dir.path)) == head)

        // Stopped: the record is gone, the writer runs.
        #expect(try await waitUntilListening(port: port))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try RunningServer.live(in: try readOnly(dir.path)) == nil)
        let rebuild = try ToolRun.run("authctl", ["rebuild", "--data", dir.path])
        #expect(rebuild.status == 0, "\(rebuild.output)\(rebuild.stderr)")
    }

    /// A record left by a process that no longer runs is stale and ignored.
    @Test func staleRecordIsIgnored() throws {
        let dir = try TemporaryDirectory("running-server-stale")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all)
        try store.registerRunningServer(pid: Int32.max - 7, versions: "index.v1,users.v999")
        store.close()
        #expect(try RunningServer.live(in: try readOnly(dir.path)) == nil)
        try RunningServer.checkCompatible(environment: try readOnly(dir.path), projections: DomainProjections.all)
    }
}
