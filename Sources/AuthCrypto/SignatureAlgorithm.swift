/// A signature scheme: key type, padding and hash. Raw values are the JOSE / COSE names.
public enum SignatureAlgorithm: String, Sendable, CaseIterable {
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA on P-384 with SHA-384.
    case es384 = "ES384"
    /// ECDSA on P-521 with SHA-512.
    case es512 = "ES512"
    /// Ed25519 (pure EdDSA).
    case eddsa = "EdDSA"
    /// Ed448 (pure EdDSA, RFC 8032 §5.2, empty context): verification only, for WebAuthn COSE alg -53.
    case ed448 = "Ed448"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = "RS384"
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = "RS512"
    /// RSASSA-PKCS1-v1_5 with SHA-1: verification only, for WebAuthn TPM attestations (COSE RS1).
    case rs1 = "RS1"
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    case ps256 = "PS256"
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt.
    case ps384 = "PS384"
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
    case ps512 = "PS512"

    /// The hash the scheme applies to the message, or `nil` for Ed25519 and Ed448 (which hash internally).
    public var digest: DigestAlgorithm? {
        switch self {
        case .es256, .rs256, .ps256: .sha256
        case .es384, .rs384, .ps384: .sha384
        case .es512, .rs512, .ps512: .sha512
        case .rs1: .sha1
        case .eddsa, .ed448: nil
        }
    }

    /// The curve an ECDSA scheme requires, or `nil` for the others.
    public var curve: ECCurve? {
        switch self {
        case .es256: .p256
        case .es384: .p384
        case .es512: .p521
        default: nil
        }
    }

    /// The kind of key this scheme needs.
    public var keyType: KeyType {
        switch self {
        case .es256, .es384, .es512: .ec
        case .eddsa: .ed25519
        case .ed448: .ed448
        case .rs256, .rs384, .rs512, .rs1, .ps256, .ps384, .ps512: .rsa
        }
    }

    /// Whether this is RSASSA-PSS.
    var isPSS: Bool { self == .ps256 || self == .ps384 || self == .ps512 }
}
