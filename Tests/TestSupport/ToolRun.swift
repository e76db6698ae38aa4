import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The outcome of running one of the built executables to completion.
public struct ToolRun: Sendable {
    /// The exit status (or the signal number when `signaled`).
    public let status: Int32
    /// Whether the process died of a signal (a trap is SIGILL/SIGTRAP: never acceptable for bad input).
    public let signaled: Bool
    /// Everything written to standard output.
    public let stdout: Data
    /// Everything written to standard error, as text.
    public let stderr: String

    /// Standard output as text.
    public var output: String { String(decoding: stdout, as: UTF8.self) }

    /// Runs the built executable `name` (``Paths/executable(_:)``; or an absolute path such as `/bin/sh`) with
    /// `arguments` and waits for it to exit.
    public static func run(_ name: String, _ arguments: [String]) throws -> ToolRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: name.hasPrefix("/") ? name : Paths.executable(name))
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to EOF concurrently so a chatty child cannot block on a full pipe.
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1_000) }
        return ToolRun(
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal, stdout: outputData,
            stderr: String(decoding: errorData.value, as: UTF8.self))
    }
}

/// Data handed from a reader thread.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}

/// Waits until something accepts TCP connections on `127.0.0.1:port` (a started server has installed its signal
/// handlers by then), or `timeout` seconds pass; returns whether it did.
public func waitUntilListening(port: Int, timeout: Double = 30) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        close(fd)
        if connected == 0 { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}
