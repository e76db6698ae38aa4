import EventLog
import Foundation

/// Shows progress on stderr: a bar with events/s and ETA on a terminal, a plain line every few seconds otherwise,
/// so a long rebuild or verify never looks hung.
/// `@unchecked Sendable`: its mutable state is guarded by `lock`.
final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let started = MonotonicClock.seconds()
    private var lastPrint = 0.0
    private let lock = NSLock()

    init(_ label: String) { self.label = label }

    /// Reports `done` of `total` events.
    func update(_ done: UInt64, _ total: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        let now = MonotonicClock.seconds()
        let interval = isTerminal ? 0.1 : 2.0
        guard now - lastPrint >= interval || done == total else { return }
        lastPrint = now
        let elapsed = max(now - started, 1e-6)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - min(done, total)) / rate : 0
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let stats = "\(done)/\(total) events, \(Int(rate)) events/s, ETA \(String(format: "%.1f", remaining)) s"
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write("\r\(label) [\(bar)] \(Int(fraction * 100))% \(stats)\u{1B}[K".data(using: .utf8)!)
            if done >= total { FileHandle.standardError.write("\n".data(using: .utf8)!) }
        } else {
            FileHandle.standardError.write("\(label): \(stats)\n".data(using: .utf8)!)
        }
    }
}
