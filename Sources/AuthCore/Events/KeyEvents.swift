import EventLog

/// A new access-token signing key became current. Only the public key is recorded; the private key lives in a key
/// file outside the log.
public struct SigningKeyRotated: DomainEvent {
    public static let type = "signing_key.rotated"
    public static let version = 1
    /// Key id (the JWS `kid`).
    public var kid: String
    /// `ES256`, `EdDSA` or `RS256`.
    public var algorithm: String
    /// The public key as DER SubjectPublicKeyInfo.
    public var publicKey: [UInt8]
    /// The kid it replaces, if any.
    public var previousKid: String?

    public var streams: [StreamRef] { [] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("kid", \.kid),
        .text("algorithm", \.algorithm),
        .bytes("public_key", \.publicKey),
        .optionalText("previous_kid", \.previousKid),
    ]

    public static let example = SigningKeyRotated(
        kid: "k_2026-11-27_a1b2", algorithm: "ES256", publicKey: [0x30, 0x59, 0x30, 0x13], previousKid: nil)
}
