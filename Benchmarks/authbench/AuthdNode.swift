import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One `authd serve` child process on a loopback port, for benchmarks of the server as deployed (a process per node).
///
/// Benchmark settings: `--trust-proxy` (so that the set-up can give each user its own client address in
/// `X-Forwarded-For` and stay under the production per-address limits), argon2 at its minimum cost (set-up logins
/// only; no figure of this benchmark hashes a password), logs at `error`.
final class AuthdNode {
    let port: Int
    let dataDirectory: String
    private let process: Process

    /// Starts `binary` on a free port with its data in `dataDirectory` (and the shared log at `store`, if given) and
    /// waits until `/readyz` answers 200.
    init(binary: String, dataDirectory: String, store: String?) throws {
        port = try Self.freePort()
        self.dataDirectory = dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = [
            "serve", "--data", dataDirectory, "--listen", "127.0.0.1:\(port)", "--trust-proxy", "--argon2-memory-kib", "8",
            "--argon2-iterations", "1", "--argon2-parallelism", "1", "--log-level", "error", "--head-log-interval", "0",
        ]
        if let store { arguments += ["--store", store] }
        process.arguments = arguments
        let log = dataDirectory + "/authd.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = monotonicSeconds() + 120
        let probe = HTTPConnection(port: port)
        while true {
            if let status = try? probe.roundTrip(RawRequest.get("/readyz")).status, status == 200 { break }
            guard process.isRunning, monotonicSeconds() < deadline else {
                stop()
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw LoadError("authd on port \(port) did not become ready: \(output.suffix(2000))")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// SIGTERM (graceful shutdown), then waits for the process to exit.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Copies this node's `keys/` into `directory` (created if needed): nodes of one shared log share their keys.
    func copyKeys(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let target = directory + "/keys"
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        try FileManager.default.copyItem(atPath: dataDirectory + "/keys", toPath: target)
    }

    /// A loopback port that was free a moment ago (bound to port 0, then closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoadError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                Glibc.bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw LoadError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The `authd` binary next to this `authbench` (the same build).
    static func siblingBinary() -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("authd").path
    }
}
