import EventLog

/// A role was defined through the admin API with its permissions (`resource:action`, `resource:*` or `*`). A role
/// defined by event takes precedence over the policy file's role of the same name.
public struct RoleDefined: DomainEvent {
    public static let type = "role.defined"
    public static let version = 1
    /// The role's name.
    public var role: String
    /// Its permissions.
    public var permissions: [String]
    /// The user id of the administrator who defined it (or `authctl`).
    public var definedBy: String

    public var streams: [StreamRef] { [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("role", \.role),
        .textArray("permissions", \.permissions),
        .text("defined_by", \.definedBy),
    ]

    public static let example = RoleDefined(
        role: "editor", permissions: ["posts:read", "posts:create", "posts:update"], definedBy: UserRegistered.example.userID)
}

/// The permissions of a role defined by event were replaced.
public struct RolePermissionsChanged: DomainEvent {
    public static let type = "role.permissions_changed"
    public static let version = 1
    /// The role's name.
    public var role: String
    /// Its new permissions.
    public var permissions: [String]
    /// Its permissions before the change.
    public var previousPermissions: [String]
    /// The user id of the administrator who changed it.
    public var changedBy: String

    public var streams: [StreamRef] { [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("role", \.role),
        .textArray("permissions", \.permissions),
        .textArray("previous_permissions", \.previousPermissions),
        .text("changed_by", \.changedBy),
    ]

    public static let example = RolePermissionsChanged(
        role: "editor", permissions: ["posts:*"], previousPermissions: ["posts:read", "posts:create", "posts:update"],
        changedBy: UserRegistered.example.userID)
}

/// A role defined by event was deleted (grants of it grant nothing from then on, unless the policy file defines it).
public struct RoleDeleted: DomainEvent {
    public static let type = "role.deleted"
    public static let version = 1
    /// The role's name.
    public var role: String
    /// The user id of the administrator who deleted it.
    public var deletedBy: String

    public var streams: [StreamRef] { [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("role", \.role),
        .text("deleted_by", \.deletedBy),
    ]

    public static let example = RoleDeleted(role: "editor", deletedBy: UserRegistered.example.userID)
}

/// A user was granted a role, until `expires_at` if set (an expired grant grants nothing; no event marks expiry).
/// Granting a role the user holds replaces the grant.
public struct RoleGranted: DomainEvent {
    public static let type = "role.granted"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The role.
    public var role: String
    /// When the grant ends, if it does.
    public var expiresAt: Timestamp?
    /// The user id of the administrator who granted it (or `authctl`).
    public var grantedBy: String
    /// Why.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("role", \.role),
        .optionalTimestamp("expires_at", \.expiresAt),
        .text("granted_by", \.grantedBy),
        .text("reason", \.reason),
    ]

    public static let example = RoleGranted(
        userID: UserRegistered.example.userID, role: "editor", expiresAt: nil, grantedBy: "usr_Q2hlZkFkbWluaXN0cmF0b3I",
        reason: "joins the newsroom")
}

/// A user's grant of a role was revoked.
public struct RoleRevoked: DomainEvent {
    public static let type = "role.revoked"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The role.
    public var role: String
    /// The user id of the administrator who revoked it.
    public var revokedBy: String
    /// Why.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("role", \.role),
        .text("revoked_by", \.revokedBy),
        .text("reason", \.reason),
    ]

    public static let example = RoleRevoked(
        userID: UserRegistered.example.userID, role: "editor", revokedBy: "usr_Q2hlZkFkbWluaXN0cmF0b3I", reason: "left the newsroom")
}

/// A user's ABAC attributes were replaced: a flat JSON object of strings, numbers and booleans, stored as its
/// canonical text (members sorted, compact).
public struct UserAttributesChanged: DomainEvent {
    public static let type = "user.attributes_changed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The canonical JSON text of the attributes.
    public var attributes: String
    /// The user id of the administrator who set them.
    public var changedBy: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("attributes", \.attributes),
        .text("changed_by", \.changedBy),
    ]

    public static let example = UserAttributesChanged(
        userID: UserRegistered.example.userID, attributes: #"{"clearance":3,"department":"engineering"}"#,
        changedBy: "usr_Q2hlZkFkbWluaXN0cmF0b3I")
}

/// A policy document (roles and ABAC rules) came into force: appended when the server loads a policy file whose
/// content differs from the one in force, carrying the whole document so that every decision can be tied to it.
public struct PolicyLoaded: DomainEvent {
    public static let type = "policy.loaded"
    public static let version = 1
    /// SHA-256 (hex) of the document's bytes as read.
    public var sha256: String
    /// Where it was read from (the file path).
    public var source: String
    /// The document (JSON text).
    public var policy: String

    public var streams: [StreamRef] { [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("sha256", \.sha256),
        .text("source", \.source),
        .text("policy", \.policy),
    ]

    public static let example = PolicyLoaded(
        sha256: "5b1c0d5d8b7d7f3f0c0e6f8a4b1f7f1b6c2b9d0e4a3f2c1b0a9e8d7c6b5a4f3e", source: "/etc/authd/policy.json",
        policy: #"{"roles":{"user":["profile:read"]},"rules":[]}"#)
}

/// An administrator locked a user: every session ends (separate events) and every login is refused.
public struct UserLocked: DomainEvent {
    public static let type = "user.locked"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The user id of the administrator.
    public var lockedBy: String
    /// Why, if given.
    public var reason: String?

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("locked_by", \.lockedBy),
        .optionalText("reason", \.reason),
    ]

    public static let example = UserLocked(userID: UserRegistered.example.userID, lockedBy: "usr_Q2hlZkFkbWluaXN0cmF0b3I", reason: nil)
}

/// An administrator unlocked a user: logins work again.
public struct UserUnlocked: DomainEvent {
    public static let type = "user.unlocked"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The user id of the administrator.
    public var unlockedBy: String
    /// Why, if given.
    public var reason: String?

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("unlocked_by", \.unlockedBy),
        .optionalText("reason", \.reason),
    ]

    public static let example = UserUnlocked(
        userID: UserRegistered.example.userID, unlockedBy: "usr_Q2hlZkFkbWluaXN0cmF0b3I", reason: "identity confirmed")
}
