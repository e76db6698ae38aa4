import EventLog

/// Shared checks of the authorization commands.
enum AuthzCommandSupport {
    /// Throws ``AuthzError/userNotFound`` unless `userID` is registered.
    static func requireUser(_ userID: String, in context: CommandContext) throws {
        guard try context.state.table(UsersProjection(), "by_id").get(Key.of(userID)) != nil else { throw AuthzError.userNotFound }
    }

    /// The actor of an event: a user for a user id, otherwise an operator (`authctl`).
    static func actor(_ actorID: String) -> Actor {
        actorID.hasPrefix("usr_") ? .user(actorID) : Actor(kind: .admin, id: actorID)
    }

    /// The policy in force, read in the transaction.
    static func policy(in context: CommandContext) throws -> Policy? {
        guard let record = try context.state.table(AuthzProjection(), "policy").record(PolicyRecord.self, AuthzProjection.policyKey) else {
            return nil
        }
        return try? Policy.parse(Array(record.policy.utf8))
    }

    /// The permissions of `role` in force: the role defined by event, else the policy's; `nil` if neither.
    static func permissions(ofRole role: String, policy: Policy?, in context: CommandContext) throws -> [String]? {
        if let record = try context.state.table(AuthzProjection(), "roles").record(RoleRecord.self, Key.of(role)) {
            return record.permissions
        }
        return policy?.roles[role]
    }

    /// Everything `actorID`'s unexpired grants give, read in the transaction; `nil` (unbounded) for an operator acting
    /// offline (`authctl`, whose access is the data directory itself).
    static func held(by actorID: String, in context: CommandContext) throws -> PermissionSet? {
        guard actorID.hasPrefix("usr_") else { return nil }
        let policy = try policy(in: context)
        var set = PermissionSet([])
        var prefix = Key.of(actorID)
        prefix.append(0)
        for role in try activeGrantedRoles(prefix: prefix, in: context) {
            for pattern in try permissions(ofRole: role, policy: policy, in: context) ?? [] { set.insert(pattern) }
        }
        return set
    }

    /// The roles of the unexpired grants whose keys (`user 0x00 role`) start with `prefix` (one user's: `user 0x00`;
    /// every user's: empty), read in the transaction.
    static func activeGrantedRoles(prefix: [UInt8], in context: CommandContext) throws -> [String] {
        try context.state.table(AuthzProjection(), "grants").entries(prefix: prefix).compactMap { entry in
            guard try GrantRecord(bytes: entry.value).isActive(at: context.now), let separator = entry.key.firstIndex(of: 0) else {
                return nil
            }
            return String(decoding: entry.key[(separator + 1)...], as: UTF8.self)
        }
    }

    /// Throws ``AuthzError/permissionNotHeld(_:)`` unless `actorID` holds every one of `patterns`: nobody can grant (or
    /// define, change, delete or revoke) a permission they do not hold.
    static func requireHeld(_ patterns: [String], by actorID: String, in context: CommandContext) throws {
        guard let held = try held(by: actorID, in: context) else { return }
        for pattern in patterns where !held.coversPattern(pattern) { throw AuthzError.permissionNotHeld(pattern) }
    }

    static func validate(_ patterns: [String]) throws {
        for pattern in patterns where !PermissionSet.isValidPattern(pattern) { throw AuthzError.invalidPermission(pattern) }
    }
}

/// Defines a role (`role.defined`) or replaces its permissions (`role.permissions_changed`); the actor must hold
/// every permission the role gets, and, when changing it, every permission it had.
public struct DefineRole: Command {
    /// What happened.
    public enum Outcome: Sendable, Equatable { case defined, changed, unchanged }

    public var role: String
    public var permissions: [String]
    public var actorID: String
    public var request: RequestInfo

    public init(role: String, permissions: [String], actorID: String, request: RequestInfo) {
        self.role = role
        self.permissions = permissions
        self.actorID = actorID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        try AuthzCommandSupport.validate(permissions)
        try AuthzCommandSupport.requireHeld(permissions, by: actorID, in: context)
        let actor = AuthzCommandSupport.actor(actorID)
        guard let existing = try context.state.table(AuthzProjection(), "roles").record(RoleRecord.self, Key.of(role)) else {
            try context.emit(RoleDefined(role: role, permissions: permissions, definedBy: actorID), actor: actor, request: request)
            return .defined
        }
        guard existing.permissions != permissions else { return .unchanged }
        try AuthzCommandSupport.requireHeld(existing.permissions, by: actorID, in: context)
        try context.emit(
            RolePermissionsChanged(role: role, permissions: permissions, previousPermissions: existing.permissions, changedBy: actorID),
            actor: actor, request: request)
        return .changed
    }
}

/// Deletes a role defined by event (`role.deleted`); the actor must hold its permissions.
public struct DeleteRole: Command {
    public var role: String
    public var actorID: String
    public var request: RequestInfo

    public init(role: String, actorID: String, request: RequestInfo) {
        self.role = role
        self.actorID = actorID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard let existing = try context.state.table(AuthzProjection(), "roles").record(RoleRecord.self, Key.of(role)) else {
            throw AuthzError.roleNotDefinedByEvent
        }
        try AuthzCommandSupport.requireHeld(existing.permissions, by: actorID, in: context)
        try context.emit(RoleDeleted(role: role, deletedBy: actorID), actor: AuthzCommandSupport.actor(actorID), request: request)
    }
}

/// Grants a role to a user (`role.granted`), until `expiresAt` if given; the actor must hold every permission of the
/// role.
public struct GrantRole: Command {
    public var userID: String
    public var role: String
    public var expiresAt: Timestamp?
    public var reason: String
    public var actorID: String
    public var request: RequestInfo

    public init(userID: String, role: String, expiresAt: Timestamp?, reason: String, actorID: String, request: RequestInfo) {
        self.userID = userID
        self.role = role
        self.expiresAt = expiresAt
        self.reason = reason
        self.actorID = actorID
        self.request = request
    }

    @discardableResult
    public func run(_ context: inout CommandContext) throws -> RecordedEvent {
        try AuthzCommandSupport.requireUser(userID, in: context)
        let policy = try AuthzCommandSupport.policy(in: context)
        guard let permissions = try AuthzCommandSupport.permissions(ofRole: role, policy: policy, in: context) else {
            throw AuthzError.roleNotFound
        }
        try AuthzCommandSupport.requireHeld(permissions, by: actorID, in: context)
        return try context.emit(
            RoleGranted(userID: userID, role: role, expiresAt: expiresAt, grantedBy: actorID, reason: reason),
            actor: AuthzCommandSupport.actor(actorID), request: request)
    }
}

/// Revokes a user's grant of a role (`role.revoked`); the actor must hold every permission of the role.
public struct RevokeRole: Command {
    public var userID: String
    public var role: String
    public var reason: String
    public var actorID: String
    public var request: RequestInfo

    public init(userID: String, role: String, reason: String, actorID: String, request: RequestInfo) {
        self.userID = userID
        self.role = role
        self.reason = reason
        self.actorID = actorID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        guard try context.state.table(AuthzProjection(), "grants").get(Key.pair(userID, role)) != nil else { throw AuthzError.grantNotFound }
        let policy = try AuthzCommandSupport.policy(in: context)
        let permissions = try AuthzCommandSupport.permissions(ofRole: role, policy: policy, in: context) ?? []
        try AuthzCommandSupport.requireHeld(permissions, by: actorID, in: context)
        try context.emit(
            RoleRevoked(userID: userID, role: role, revokedBy: actorID, reason: reason), actor: AuthzCommandSupport.actor(actorID),
            request: request)
    }
}

/// Replaces a user's ABAC attributes (`user.attributes_changed`; the attributes as canonical JSON text).
public struct SetUserAttributes: Command {
    public var userID: String
    public var attributes: [String: AttributeValue]
    public var actorID: String
    public var request: RequestInfo

    public init(userID: String, attributes: [String: AttributeValue], actorID: String, request: RequestInfo) {
        self.userID = userID
        self.attributes = attributes
        self.actorID = actorID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws {
        try AuthzCommandSupport.requireUser(userID, in: context)
        try context.emit(
            UserAttributesChanged(userID: userID, attributes: AttributeObject.canonicalText(attributes), changedBy: actorID),
            actor: AuthzCommandSupport.actor(actorID), request: request)
    }
}

/// Records a policy document (`policy.loaded`) unless the one in force has the same SHA-256. The caller parsed it
/// (``Policy/parse(_:)``) first: a malformed document never reaches the log.
public struct LoadPolicy: Command {
    public var document: String
    public var source: String

    public init(document: String, source: String) {
        self.document = document
        self.source = source
    }

    /// Whether an event was appended.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        let sha256 = Policy.digest(Array(document.utf8))
        if let current = try context.state.table(AuthzProjection(), "policy").record(PolicyRecord.self, AuthzProjection.policyKey),
            current.sha256 == sha256
        {
            return false
        }
        try context.emit(PolicyLoaded(sha256: sha256, source: source, policy: document), actor: .system, request: .none)
        return true
    }
}
