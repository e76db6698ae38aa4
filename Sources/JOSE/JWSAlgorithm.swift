import AuthCrypto

/// The JWS algorithms (RFC 7518, RFC 8037) this package signs and verifies. Anything else in a token
/// header, `none` and the HMAC family included, is refused.
public enum JWSAlgorithm: String, Sendable, CaseIterable {
    /// ECDSA P-256 with SHA-256; the signature is raw `r || s` (64 bytes).
    case es256 = "ES256"
    /// Ed25519 (RFC 8037).
    case eddsa = "EdDSA"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"

    /// The AuthCrypto scheme behind this algorithm.
    public var signatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .es256: .es256
        case .eddsa: .eddsa
        case .rs256: .rs256
        }
    }

    /// The JWS algorithm for an AuthCrypto scheme, if JOSE support exists for it here.
    public init?(_ algorithm: SignatureAlgorithm) {
        switch algorithm {
        case .es256: self = .es256
        case .eddsa: self = .eddsa
        case .rs256: self = .rs256
        default: return nil
        }
    }
}
