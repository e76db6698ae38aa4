import AuthCore
import EventLog

/// With a shared log (several nodes), reloads the authorization snapshot once this node's replica has moved past
/// it, so that roles, grants, attributes and policies recorded through other nodes reach this node's decisions
/// within the replica's delay plus ``interval``. (A node reloads after its own authorization commands and policy
/// loads anyway; a single node needs nothing more.)
final class AuthzFollower: Sendable {
    /// How often the replica's head is compared with the snapshot's position.
    static let interval: Duration = .milliseconds(100)
    private let task: Task<Void, Never>

    /// Starts following `store` for `engine`.
    init(engine: AuthzEngine, store: EventStore) {
        task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                // A read error (the store closing) is retried at the next tick; the snapshot in force stays.
                guard let head = try? store.head().seq, head != engine.snapshot.seq else { continue }
                _ = try? engine.reload(from: store)
            }
        }
    }

    /// Stops following (``AuthService/shutdown()``).
    func stop() { task.cancel() }
}
