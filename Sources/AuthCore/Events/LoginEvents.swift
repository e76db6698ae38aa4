import EventLog

/// A login succeeded and a session was created for it.
public struct LoginSucceeded: DomainEvent {
    public static let type = "login.succeeded"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The new session.
    public var sessionID: String
    /// `password`, `passkey`, `mfa` or `oidc`.
    public var method: String
    /// `aal1` or `aal2`.
    public var aal: String
    /// The external provider's id, for method `oidc`.
    public var provider: String? = nil

    public var streams: [StreamRef] { [StreamRef(.user, userID), StreamRef(.session, sessionID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("session_id", \.sessionID),
        .text("method", \.method),
        .text("aal", \.aal),
        .optionalText("provider", \.provider),
    ]

    public static let example = LoginSucceeded(
        userID: UserRegistered.example.userID, sessionID: "ses_Qk1vZ2x0b3RhbGx5cmFuZA", method: "password", aal: "aal1")
}

/// A login attempt failed. For unknown accounts `user_id` is absent and `subject` is a keyed hash of the email, so
/// the log cannot be used to enumerate addresses.
public struct LoginFailed: DomainEvent {
    public static let type = "login.failed"
    public static let version = 1
    /// The user, when the account exists.
    public var userID: String?
    /// HMAC-SHA-256 of the normalised email under a server key (hex), always present.
    public var subject: String
    /// `bad_password`, `unknown_user`, `bad_code`, ...
    public var reason: String
    /// `password`, `passkey`, `mfa`, `oidc`.
    public var method: String
    /// The external provider's id, for method `oidc`.
    public var provider: String? = nil

    public var streams: [StreamRef] { userID.map { [StreamRef(.user, $0)] } ?? [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .optionalText("user_id", \.userID),
        .text("subject", \.subject),
        .text("reason", \.reason),
        .text("method", \.method),
        .optionalText("provider", \.provider),
    ]

    public static let example = LoginFailed(
        userID: nil, subject: "9f2c4a7e5b1d3f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a", reason: "unknown_user",
        method: "password")
}

/// Attempts were throttled for a key (an account or a client IP). At most one per key per window.
public struct LoginThrottled: DomainEvent {
    public static let type = "login.throttled"
    public static let version = 1
    /// `account` or `ip`.
    public var scope: String
    /// Keyed hash of the throttled key (hex).
    public var subject: String
    /// The user, when the key is a known account.
    public var userID: String?
    /// Seconds until attempts are allowed again.
    public var retryAfter: Int64

    public var streams: [StreamRef] { userID.map { [StreamRef(.user, $0)] } ?? [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("scope", \.scope),
        .text("subject", \.subject),
        .optionalText("user_id", \.userID),
        .int("retry_after", \.retryAfter),
    ]

    public static let example = LoginThrottled(scope: "ip", subject: LoginFailed.example.subject, userID: nil, retryAfter: 30)
}
