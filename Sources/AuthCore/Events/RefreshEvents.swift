import EventLog

/// A refresh-token family started with a login (token mode). Only hashes of tokens are recorded.
public struct RefreshFamilyStarted: DomainEvent {
    public static let type = "refresh.family_started"
    public static let version = 1
    /// The family.
    public var familyID: String
    /// The session it belongs to.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// SHA-256 of the first refresh token.
    public var tokenHash: [UInt8]
    /// Absolute expiry of the family.
    public var expiresAt: Timestamp

    public var streams: [StreamRef] {
        [StreamRef(.user, userID), StreamRef(.session, sessionID), StreamRef(.family, familyID)]
    }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("family_id", \.familyID),
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .bytes("token_hash", \.tokenHash),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = RefreshFamilyStarted(
        familyID: "fam_Zm9vYmFyYmF6cXV4cXV1eA", sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID,
        tokenHash: [UInt8](repeating: 0x11, count: 32), expiresAt: Timestamp(seconds: 1_769_817_600))
}

/// A refresh token was exchanged: the parent became used and a child was issued. `grace` marks a second exchange of
/// the same parent inside the grace window (two tabs refreshing at once), which is not theft.
public struct RefreshRotated: DomainEvent {
    public static let type = "refresh.rotated"
    public static let version = 1
    /// The family.
    public var familyID: String
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// SHA-256 of the presented token.
    public var parentHash: [UInt8]
    /// SHA-256 of the issued token.
    public var childHash: [UInt8]
    /// Whether this was a re-exchange of an already used parent inside the grace window.
    public var grace: Bool

    public var streams: [StreamRef] {
        [StreamRef(.user, userID), StreamRef(.session, sessionID), StreamRef(.family, familyID)]
    }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("family_id", \.familyID),
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .bytes("parent_hash", \.parentHash),
        .bytes("child_hash", \.childHash),
        .bool("grace", \.grace),
    ]

    public static let example = RefreshRotated(
        familyID: RefreshFamilyStarted.example.familyID, sessionID: LoginSucceeded.example.sessionID,
        userID: UserRegistered.example.userID, parentHash: [UInt8](repeating: 0x11, count: 32),
        childHash: [UInt8](repeating: 0x22, count: 32), grace: false)
}

/// An already used refresh token was presented again (outside the grace window): likely theft. The request context
/// in the envelope is the presenter's.
public struct RefreshReuseDetected: DomainEvent {
    public static let type = "refresh.reuse_detected"
    public static let version = 1
    /// The family.
    public var familyID: String
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// SHA-256 of the presented (used) token.
    public var tokenHash: [UInt8]
    /// Seq of the rotation that used this token.
    public var usedAtSeq: UInt64

    public var streams: [StreamRef] {
        [StreamRef(.user, userID), StreamRef(.session, sessionID), StreamRef(.family, familyID)]
    }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("family_id", \.familyID),
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .bytes("token_hash", \.tokenHash),
        .uint("used_at_seq", \.usedAtSeq),
    ]

    public static let example = RefreshReuseDetected(
        familyID: RefreshFamilyStarted.example.familyID, sessionID: LoginSucceeded.example.sessionID,
        userID: UserRegistered.example.userID, tokenHash: [UInt8](repeating: 0x11, count: 32), usedAtSeq: 42)
}

/// A refresh family was revoked: none of its tokens works any more.
public struct RefreshFamilyRevoked: DomainEvent {
    public static let type = "refresh.family_revoked"
    public static let version = 1
    /// The family.
    public var familyID: String
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// `reuse_detected`, `logout`, `session_revoked`, `password_changed`, ...
    public var reason: String

    public var streams: [StreamRef] {
        [StreamRef(.user, userID), StreamRef(.session, sessionID), StreamRef(.family, familyID)]
    }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("family_id", \.familyID),
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .text("reason", \.reason),
    ]

    public static let example = RefreshFamilyRevoked(
        familyID: RefreshFamilyStarted.example.familyID, sessionID: LoginSucceeded.example.sessionID,
        userID: UserRegistered.example.userID, reason: "reuse_detected")
}
