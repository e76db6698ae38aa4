import Foundation

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
