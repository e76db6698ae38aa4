import EventLog

/// A session was created. Only the SHA-256 of its token is recorded.
public struct SessionCreated: DomainEvent {
    public static let type = "session.created"
    public static let version = 1
    /// The session id (not a secret).
    public var sessionID: String
    /// The user.
    public var userID: String
    /// SHA-256 of the session token.
    public var tokenHash: [UInt8]
    /// `aal1` or `aal2`.
    public var aal: String
    /// `cookie` or `token`.
    public var mode: String
    /// Absolute expiry.
    public var expiresAt: Timestamp
    /// Idle timeout in seconds (the session ends this long after it was last seen).
    public var idleTimeout: Int64

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .bytes("token_hash", \.tokenHash),
        .text("aal", \.aal),
        .text("mode", \.mode),
        .timestamp("expires_at", \.expiresAt),
        .int("idle_timeout", \.idleTimeout),
    ]

    public static let example = SessionCreated(
        sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID,
        tokenHash: [UInt8](repeating: 0xAB, count: 32), aal: "aal1", mode: "cookie",
        expiresAt: Timestamp(seconds: 1_769_817_600), idleTimeout: 604_800)
}

/// A session was seen again after `update_age`: its idle deadline moves forward. Written at most once per
/// `update_age`, so that reads don't write.
public struct SessionExtended: DomainEvent {
    public static let type = "session.extended"
    public static let version = 1
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// When it was seen.
    public var lastSeenAt: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .timestamp("last_seen_at", \.lastSeenAt),
    ]

    public static let example = SessionExtended(
        sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID, lastSeenAt: Timestamp(seconds: 1_767_312_000))
}

/// A session ended before its expiry.
public struct SessionRevoked: DomainEvent {
    public static let type = "session.revoked"
    public static let version = 1
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// `logout`, `user_revoked`, `password_changed`, `refresh_reuse`, `mfa_recovery`, `admin`.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .text("reason", \.reason),
    ]

    public static let example = SessionRevoked(
        sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID, reason: "logout")
}

/// The holder of a session proved it again (password or passkey) for a sensitive change: the session counts as
/// recently authenticated for the re-authentication window from here.
public struct SessionReauthenticated: DomainEvent {
    public static let type = "session.reauthenticated"
    public static let version = 1
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// `password` or `passkey`.
    public var method: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .text("method", \.method),
    ]

    public static let example = SessionReauthenticated(
        sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID, method: "password")
}

/// A session got a new token (only its SHA-256 is recorded) because its assurance level changed: the old token is
/// dead from here, as after a login (no session fixation across levels).
public struct SessionTokenRotated: DomainEvent {
    public static let type = "session.token_rotated"
    public static let version = 1
    /// The session.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// SHA-256 of the new session token.
    public var tokenHash: [UInt8]
    /// `step_up` or `reauthentication`.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("session_id", \.sessionID),
        .text("user_id", \.userID),
        .bytes("token_hash", \.tokenHash),
        .text("reason", \.reason),
    ]

    public static let example = SessionTokenRotated(
        sessionID: LoginSucceeded.example.sessionID, userID: UserRegistered.example.userID, tokenHash: [UInt8](repeating: 0xAC, count: 32),
        reason: "step_up")
}
