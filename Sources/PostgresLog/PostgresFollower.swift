import EventLog
import Foundation
import Postgres

/// Follows a ``PostgresSharedLog`` on a thread and a connection of its own: `LISTEN authd_commit`, and on each
/// notification from another node (or once per poll interval without one, or after reconnecting) tells the store
/// to catch up. It also keeps the log's availability flag current while no batch runs.
///
/// `@unchecked Sendable`: `stopped` is guarded by `condition`; the connection is used only by the follower's thread.
final class PostgresFollower: SharedLogFollower, @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(log: PostgresSharedLog, onCommits: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in self.run(log: log, onCommits: onCommits) }
        thread.name = "postgres-follower"
        thread.start()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func run(log: PostgresSharedLog, onCommits: @escaping @Sendable () -> Void) {
        defer { finished.signal() }
        var connection: PostgresConnection?
        var lastPoll = Date.distantPast
        while !isStopped {
            do {
                if connection == nil {
                    let opened = try PostgresConnection(url: log.url)
                    try opened.query("LISTEN authd_commit")
                    connection = opened
                    log.setAvailable(true)
                    onCommits()  // whatever was committed while this node was not listening
                }
                let payloads = try connection!.notifications(waitingUpTo: 200)
                if payloads.contains(where: { $0 != log.nodeID }) {
                    onCommits()
                } else if Date().timeIntervalSince(lastPoll) * 1_000 >= Double(log.pollInterval) {
                    lastPoll = Date()
                    try connection!.query("SELECT 1")
                    log.setAvailable(true)
                    onCommits()
                }
            } catch {
                connection = nil
                log.setAvailable(false)
                // Try again shortly (the loop also checks `stopped`).
                condition.lock()
                if !stopped { _ = condition.wait(until: Date().addingTimeInterval(0.5)) }
                condition.unlock()
            }
        }
    }

    func stop() {
        condition.lock()
        let wasStopped = stopped
        stopped = true
        condition.broadcast()
        condition.unlock()
        if !wasStopped { finished.wait() }
    }
}
