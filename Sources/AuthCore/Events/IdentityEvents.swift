import EventLog

/// An external identity (an OpenID Connect or OAuth 2.0 provider's account, named by `(issuer, subject)`) was linked
/// to a user: at signup through it, automatically on a verified email match, or explicitly by the logged-in user.
/// The provider's tokens are never recorded.
public struct IdentityLinked: DomainEvent {
    public static let type = "identity.linked"
    public static let version = 1
    /// The link's id (`idn_...`).
    public var identityID: String
    /// The user.
    public var userID: String
    /// The configured provider's id.
    public var provider: String
    /// The provider's issuer (for `github` providers, their authorization endpoint's origin).
    public var issuer: String
    /// The provider's stable subject identifier for the account.
    public var subject: String
    /// The email the provider gave, if any (normalised).
    public var email: String?
    /// Whether the provider said it verified that email.
    public var emailVerified: Bool
    /// How it was linked: `signup` (the user was created by this login), `email_match` or `explicit`.
    public var via: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("identity_id", \.identityID),
        .text("user_id", \.userID),
        .text("provider", \.provider),
        .text("issuer", \.issuer),
        .text("subject", \.subject),
        .optionalText("email", \.email),
        .bool("email_verified", \.emailVerified),
        .text("via", \.via),
    ]

    public static let example = IdentityLinked(
        identityID: "idn_Qk1vZ2x0b3RhbGx5cmFuZA", userID: UserRegistered.example.userID, provider: "acme",
        issuer: "https://id.example.com", subject: "248289761001", email: "ada@example.com", emailVerified: true, via: "signup")
}

/// An external identity was unlinked by its user.
public struct IdentityUnlinked: DomainEvent {
    public static let type = "identity.unlinked"
    public static let version = 1
    /// The link's id.
    public var identityID: String
    /// The user.
    public var userID: String
    /// The provider's id.
    public var provider: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("identity_id", \.identityID),
        .text("user_id", \.userID),
        .text("provider", \.provider),
    ]

    public static let example = IdentityUnlinked(
        identityID: IdentityLinked.example.identityID, userID: UserRegistered.example.userID, provider: "acme")
}
