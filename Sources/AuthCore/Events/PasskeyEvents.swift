import EventLog

/// A passkey (WebAuthn credential) was registered for a user.
public struct PasskeyRegistered: DomainEvent {
    public static let type = "passkey.registered"
    public static let version = 1
    public var userID: String
    /// The credential id, base64url without padding.
    public var credentialID: String
    /// The credential public key, DER SubjectPublicKeyInfo.
    public var publicKey: [UInt8]
    /// The COSE algorithm (-7, -8, -257, ...).
    public var algorithm: Int64
    public var signCount: Int64
    /// The authenticator's AAGUID as a UUID string.
    public var aaguid: String
    public var backupEligible: Bool
    public var backupState: Bool
    public var transports: [String]
    public var attestationFormat: String
    /// The user's label for the passkey.
    public var name: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), PasskeysProjection.stream(credentialID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("credential_id", \.credentialID),
        .bytes("public_key", \.publicKey),
        .int("algorithm", \.algorithm),
        .int("sign_count", \.signCount),
        .text("aaguid", \.aaguid),
        .bool("backup_eligible", \.backupEligible),
        .bool("backup_state", \.backupState),
        .textArray("transports", \.transports),
        .text("attestation_format", \.attestationFormat),
        .text("name", \.name),
    ]

    public static let example = PasskeyRegistered(
        userID: UserRegistered.example.userID, credentialID: "pQ3bJ0tq9lTqXnV8c2k1Zw",
        publicKey: [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01], algorithm: -7, signCount: 0,
        aaguid: "00000000-0000-0000-0000-000000000000", backupEligible: false, backupState: false, transports: ["internal"],
        attestationFormat: "none", name: "Laptop")
}

/// A passkey's signature counter advanced at a login.
public struct PasskeyCounterAdvanced: DomainEvent {
    public static let type = "passkey.counter_advanced"
    public static let version = 1
    public var userID: String
    public var credentialID: String
    public var oldCount: Int64
    public var newCount: Int64

    public var streams: [StreamRef] { [StreamRef(.user, userID), PasskeysProjection.stream(credentialID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("credential_id", \.credentialID),
        .int("old_count", \.oldCount),
        .int("new_count", \.newCount),
    ]

    public static let example = PasskeyCounterAdvanced(
        userID: UserRegistered.example.userID, credentialID: PasskeyRegistered.example.credentialID, oldCount: 4, newCount: 5)
}

/// A passkey's signature counter did not advance (a possible cloned authenticator). Under policy `reject` the login
/// failed; under `warn` it went ahead and the new counter was stored.
public struct PasskeyCounterRegressed: DomainEvent {
    public static let type = "passkey.counter_regressed"
    public static let version = 1
    public var userID: String
    public var credentialID: String
    public var oldCount: Int64
    public var newCount: Int64
    /// `reject` or `warn`.
    public var policy: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), PasskeysProjection.stream(credentialID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("credential_id", \.credentialID),
        .int("old_count", \.oldCount),
        .int("new_count", \.newCount),
        .text("policy", \.policy),
    ]

    public static let example = PasskeyCounterRegressed(
        userID: UserRegistered.example.userID, credentialID: PasskeyRegistered.example.credentialID, oldCount: 5, newCount: 3,
        policy: "reject")
}

/// A passkey was renamed by its owner.
public struct PasskeyRenamed: DomainEvent {
    public static let type = "passkey.renamed"
    public static let version = 1
    public var userID: String
    public var credentialID: String
    public var name: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), PasskeysProjection.stream(credentialID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("credential_id", \.credentialID),
        .text("name", \.name),
    ]

    public static let example = PasskeyRenamed(
        userID: UserRegistered.example.userID, credentialID: PasskeyRegistered.example.credentialID, name: "Work laptop")
}

/// A passkey was deleted by its owner.
public struct PasskeyDeleted: DomainEvent {
    public static let type = "passkey.deleted"
    public static let version = 1
    public var userID: String
    public var credentialID: String

    public var streams: [StreamRef] { [StreamRef(.user, userID), PasskeysProjection.stream(credentialID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("credential_id", \.credentialID),
    ]

    public static let example = PasskeyDeleted(userID: UserRegistered.example.userID, credentialID: PasskeyRegistered.example.credentialID)
}
