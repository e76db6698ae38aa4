import EventLog

/// A role defined by event: its permissions.
public struct RoleRecord: MapRecord {
    public var permissions: [String]
    /// When it was defined or last changed.
    public var changedAt: Timestamp

    public init(permissions: [String], changedAt: Timestamp) {
        self.permissions = permissions
        self.changedAt = changedAt
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("permissions", permissions)
        writer.add("changed_at", changedAt.microseconds)
    }

    public init(fields: PayloadReader) throws {
        permissions = try fields.strings("permissions")
        changedAt = Timestamp(microseconds: try fields.int("changed_at"))
    }
}

/// A grant of a role to a user: when, until when, by whom, why, and the `role.granted` event's seq.
public struct GrantRecord: MapRecord {
    public var grantedAt: Timestamp
    public var expiresAt: Timestamp?
    public var grantedBy: String
    public var reason: String
    public var seq: UInt64

    public init(grantedAt: Timestamp, expiresAt: Timestamp?, grantedBy: String, reason: String, seq: UInt64) {
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
        self.grantedBy = grantedBy
        self.reason = reason
        self.seq = seq
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("granted_at", grantedAt.microseconds)
        writer.add("expires_at", expiresAt?.microseconds)
        writer.add("granted_by", grantedBy)
        writer.add("reason", reason)
        writer.add("seq", seq)
    }

    public init(fields: PayloadReader) throws {
        grantedAt = Timestamp(microseconds: try fields.int("granted_at"))
        expiresAt = try fields.optionalInt("expires_at").map(Timestamp.init(microseconds:))
        grantedBy = try fields.string("granted_by")
        reason = try fields.string("reason")
        seq = try fields.uint("seq")
    }

    /// Whether the grant is in force at `now`.
    public func isActive(at now: Timestamp) -> Bool { expiresAt.map { now < $0 } ?? true }
}

/// The policy document in force (the last `policy.loaded`).
public struct PolicyRecord: MapRecord {
    public var sha256: String
    public var source: String
    public var policy: String
    public var loadedAt: Timestamp
    public var seq: UInt64

    public init(sha256: String, source: String, policy: String, loadedAt: Timestamp, seq: UInt64) {
        self.sha256 = sha256
        self.source = source
        self.policy = policy
        self.loadedAt = loadedAt
        self.seq = seq
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("sha256", sha256)
        writer.add("source", source)
        writer.add("policy", policy)
        writer.add("loaded_at", loadedAt.microseconds)
        writer.add("seq", seq)
    }

    public init(fields: PayloadReader) throws {
        sha256 = try fields.string("sha256")
        source = try fields.string("source")
        policy = try fields.string("policy")
        loadedAt = Timestamp(microseconds: try fields.int("loaded_at"))
        seq = try fields.uint("seq")
    }
}

/// A locked user: when, by whom, why.
public struct LockRecord: MapRecord {
    public var lockedAt: Timestamp
    public var lockedBy: String
    public var reason: String?

    public init(lockedAt: Timestamp, lockedBy: String, reason: String?) {
        self.lockedAt = lockedAt
        self.lockedBy = lockedBy
        self.reason = reason
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("locked_at", lockedAt.microseconds)
        writer.add("locked_by", lockedBy)
        writer.add("reason", reason)
    }

    public init(fields: PayloadReader) throws {
        lockedAt = Timestamp(microseconds: try fields.int("locked_at"))
        lockedBy = try fields.string("locked_by")
        reason = try fields.optionalString("reason")
    }
}
