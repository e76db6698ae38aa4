import EventLog

/// Authorization state as plain reducers: `roles` (role name → ``RoleRecord``, roles defined by event), `grants`
/// (`user ‖ 0 ‖ role` → ``GrantRecord``), `attributes` (user → canonical JSON text) and `policy` (`current` →
/// ``PolicyRecord``). ``AuthzState/read(_:)`` reads them; ``AuthzSnapshot`` compiles them for decisions.
///
/// v2: `user.deleted` removes the user's grants and attributes; `by_user` (user id → the roles granted to the user,
/// an ``IDList``) finds the grants with one read.
public struct AuthzProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "authz"
    public let version = 2
    public let tables = ["roles", "grants", "attributes", "policy", "by_user"]
    public var eventTypes: Set<String>? {
        [RoleDefined.type, RolePermissionsChanged.type, RoleDeleted.type, RoleGranted.type, RoleRevoked.type,
         UserAttributesChanged.type, PolicyLoaded.type, UserDeleted.type]
    }

    /// The key of the single entry of `policy`.
    public static let policyKey = Key.of("current")

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        switch event.type {
        case RoleDefined.type:
            let e = try RoleDefined(event)
            try state.table(self, "roles").put(Key.of(e.role), record: RoleRecord(permissions: e.permissions, changedAt: event.timestamp))
        case RolePermissionsChanged.type:
            let e = try RolePermissionsChanged(event)
            try state.table(self, "roles").put(Key.of(e.role), record: RoleRecord(permissions: e.permissions, changedAt: event.timestamp))
        case RoleDeleted.type:
            _ = try state.table(self, "roles").delete(Key.of(try RoleDeleted(event).role))
        case RoleGranted.type:
            let e = try RoleGranted(event)
            try state.table(self, "grants").put(
                Key.pair(e.userID, e.role),
                record: GrantRecord(grantedAt: event.timestamp, expiresAt: e.expiresAt, grantedBy: e.grantedBy, reason: e.reason, seq: event.seq))
            try IDList.add(e.role, in: state.table(self, "by_user"), Key.of(e.userID))
        case RoleRevoked.type:
            let e = try RoleRevoked(event)
            _ = try state.table(self, "grants").delete(Key.pair(e.userID, e.role))
            try IDList.remove(e.role, in: state.table(self, "by_user"), Key.of(e.userID))
        case UserAttributesChanged.type:
            let e = try UserAttributesChanged(event)
            try state.table(self, "attributes").put(Key.of(e.userID), Key.of(e.attributes))
        case PolicyLoaded.type:
            let e = try PolicyLoaded(event)
            try state.table(self, "policy").put(
                Self.policyKey, record: PolicyRecord(sha256: e.sha256, source: e.source, policy: e.policy, loadedAt: event.timestamp, seq: event.seq))
        case UserDeleted.type:
            let userID = try UserDeleted(event).userID
            let byUser = state.table(self, "by_user")
            for role in try IDList.ids(in: byUser, Key.of(userID)) { _ = try state.table(self, "grants").delete(Key.pair(userID, role)) }
            _ = try byUser.delete(Key.of(userID))
            _ = try state.table(self, "attributes").delete(Key.of(userID))
        default:
            break
        }
    }
}

/// Locked users: `by_user` (user id → ``LockRecord``), from `user.locked` and `user.unlocked`; v2: `user.deleted`
/// removes the user's lock.
public struct UserLocksProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "user_locks"
    public let version = 2
    public let tables = ["by_user"]
    public var eventTypes: Set<String>? { [UserLocked.type, UserUnlocked.type, UserDeleted.type] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        switch event.type {
        case UserLocked.type:
            let e = try UserLocked(event)
            try state.table(self, "by_user").put(Key.of(e.userID), record: LockRecord(lockedAt: event.timestamp, lockedBy: e.lockedBy, reason: e.reason))
        case UserUnlocked.type:
            _ = try state.table(self, "by_user").delete(Key.of(try UserUnlocked(event).userID))
        case UserDeleted.type:
            _ = try state.table(self, "by_user").delete(Key.of(try UserDeleted(event).userID))
        default:
            break
        }
    }
}
