import EventLog

/// A user registered with an email and password. Version 2 renamed v1's `argon2` field to `password_hash`; version 3
/// stores the address only sealed under the user's data key (`email`, AES-256-GCM, ``PersonalDataVault``) and as its
/// keyed hash (`email_hash`, HMAC-SHA-256 under `keys/email.key`), which is what lookups by email use.
public struct UserRegistered: DomainEvent {
    public static let type = "user.registered"
    public static let version = 3
    public static let readableVersions = 1...3

    /// The new user's id.
    public var userID: String
    /// The keyed hash of the normalised address (``PersonalDataVault/emailHash(_:)``); for an upcast v1/v2 event,
    /// the address's UTF-8 bytes (those events predate sealing; see ``plaintextEmail``).
    public var emailHash: [UInt8]
    /// The normalised address sealed under the user's key (``PersonalDataVault/sealEmail(_:userID:key:)``); empty
    /// for an upcast v1/v2 event.
    public var sealedEmail: [UInt8]
    /// The argon2id PHC encoding of the password (never the password).
    public var passwordHash: String

    /// The plaintext address of an upcast v1/v2 event (written before sealing existed): what ``emailHash`` holds
    /// when ``sealedEmail`` is empty. Never the case for an event this version writes.
    public var plaintextEmail: String? { sealedEmail.isEmpty ? String(decoding: emailHash, as: UTF8.self) : nil }

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("email_hash", \.emailHash),
        .bytes("email", \.sealedEmail),
        .text("password_hash", \.passwordHash),
    ]

    /// v1 stored the encoding under `argon2`, v2 under `password_hash`; both stored the plaintext address.
    public static func upcast(from version: Int, fields: PayloadReader) throws -> UserRegistered {
        let email = try fields.string("email")
        return UserRegistered(
            userID: try fields.string("user_id"), emailHash: Array(email.utf8), sealedEmail: [],
            passwordHash: try fields.string(version == 1 ? "argon2" : "password_hash"))
    }

    public static let example = UserRegistered(
        userID: "usr_6mJ0u9m1T0aK8vQ2xY3zBw", emailHash: [UInt8](repeating: 0x5A, count: 32),
        sealedEmail: [UInt8](repeating: 0xA5, count: 12 + 15 + 16),
        passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
}

/// The personal data of a user registered before sealing existed, sealed going forward (``SealExistingUsers``):
/// a data key is created for the user, the address is recorded sealed and as its keyed hash, and the projections
/// keep only those. The earlier `user.registered` (v1/v2) event still holds the plaintext address, and that user's
/// earlier events their client IPs and user agents: the log is append-only, so they stay.
public struct UserPersonalDataSealed: DomainEvent {
    public static let type = "user.personal_data_sealed"
    public static let version = 1

    /// The user.
    public var userID: String
    /// The keyed hash of the normalised address.
    public var emailHash: [UInt8]
    /// The address sealed under the user's new key.
    public var sealedEmail: [UInt8]

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("email_hash", \.emailHash),
        .bytes("email", \.sealedEmail),
    ]

    public static let example = UserPersonalDataSealed(
        userID: UserRegistered.example.userID, emailHash: UserRegistered.example.emailHash, sealedEmail: UserRegistered.example.sealedEmail)
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
