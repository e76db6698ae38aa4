import EventLog

/// A user registered with an email and password. Version 2 renamed v1's `argon2` field to `password_hash`.
public struct UserRegistered: DomainEvent {
    public static let type = "user.registered"
    public static let version = 2
    public static let readableVersions = 1...2

    /// The new user's id.
    public var userID: String
    /// The normalised email address.
    public var email: String
    /// The argon2id PHC encoding of the password (never the password).
    public var passwordHash: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("email", \.email),
        .text("password_hash", \.passwordHash),
    ]

    /// v1 stored the encoding under `argon2`.
    public static func upcast(from version: Int, fields: PayloadReader) throws -> UserRegistered {
        UserRegistered(userID: try fields.string("user_id"), email: try fields.string("email"), passwordHash: try fields.string("argon2"))
    }

    public static let example = UserRegistered(
        userID: "usr_6mJ0u9m1T0aK8vQ2xY3zBw", email: "ada@example.com",
        passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
}

/// The password was changed by its owner (every other session is revoked by separate events).
public struct PasswordChanged: DomainEvent {
    public static let type = "password.changed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The new argon2id encoding.
    public var passwordHash: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("password_hash", \.passwordHash),
    ]

    public static let example = PasswordChanged(userID: UserRegistered.example.userID, passwordHash: UserRegistered.example.passwordHash)
}

/// A stored hash with weaker parameters was replaced after a successful login.
public struct PasswordRehashed: DomainEvent {
    public static let type = "password.rehashed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The new argon2id encoding.
    public var passwordHash: String
    /// The parameters of the old encoding, e.g. `m=19456,t=2,p=1`.
    public var previousParameters: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("password_hash", \.passwordHash),
        .text("previous_parameters", \.previousParameters),
    ]

    public static let example = PasswordRehashed(
        userID: UserRegistered.example.userID, passwordHash: UserRegistered.example.passwordHash,
        previousParameters: "m=19456,t=2,p=1")
}
