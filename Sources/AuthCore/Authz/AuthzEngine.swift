import EventLog
import Synchronization

/// Holds the current ``AuthzSnapshot`` and swaps it atomically: a decision takes the snapshot in force (one
/// reference, under a lock held only for the copy) and evaluates it without any lock. ``reload(from:)`` reads the
/// projections in one read transaction and installs the new snapshot unless a newer one (read at a later log
/// position) is already in force.
public final class AuthzEngine: Sendable {
    private let current: Mutex<AuthzSnapshot>

    /// An engine whose snapshot is `state`'s.
    public init(state: AuthzState = AuthzState()) {
        current = Mutex(AuthzSnapshot(state: state))
    }

    /// The snapshot in force.
    public var snapshot: AuthzSnapshot { current.withLock { $0 } }

    /// Reads the authorization projection from `store` and installs it.
    @discardableResult
    public func reload(from store: EventStore) throws -> AuthzSnapshot {
        let fresh = try store.read { context in
            AuthzSnapshot(state: try AuthzState.read { context.state.table(AuthzProjection(), $0) }, seq: try context.head().seq)
        }
        return install(fresh)
    }

    /// Installs `fresh` unless the snapshot in force was read at a later log position; returns the one in force.
    @discardableResult
    public func install(_ fresh: AuthzSnapshot) -> AuthzSnapshot {
        current.withLock { snapshot in
            if fresh.seq >= snapshot.seq { snapshot = fresh }
            return snapshot
        }
    }
}
