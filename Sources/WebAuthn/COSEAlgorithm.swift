import AuthCrypto

/// The COSE signature algorithms (IANA "COSE Algorithms" registry) this library can verify.
///
/// Not implemented, and so rejected as ``WebAuthnError/unsupportedAlgorithm(_:)``: Ed448 (-53), ML-DSA
/// (-48/-49/-50), RS1 (-65535, SHA-1) and anything else unlisted.
public enum COSEAlgorithm: Int, Sendable, CaseIterable, Codable {
    /// ECDSA with SHA-256 on P-256.
    case es256 = -7
    /// ECDSA with SHA-384 on P-384.
    case es384 = -35
    /// ECDSA with SHA-512 on P-521.
    case es512 = -36
    /// EdDSA; only the Ed25519 curve is accepted.
    case eddsa = -8
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = -257
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = -258
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = -259
    /// RSASSA-PSS with SHA-256 (MGF1-SHA-256, 32-byte salt).
    case ps256 = -37
    /// RSASSA-PSS with SHA-384 (MGF1-SHA-384, 48-byte salt).
    case ps384 = -38
    /// RSASSA-PSS with SHA-512 (MGF1-SHA-512, 64-byte salt).
    case ps512 = -39

    /// The relying party's default list: ES256, EdDSA, RS256 (what browsers and authenticators commonly offer).
    public static let defaultAllowed: [COSEAlgorithm] = [.es256, .eddsa, .rs256]

    /// The algorithm for a COSE `alg` value; throws ``WebAuthnError/unsupportedAlgorithm(_:)`` if not implemented.
    public static func from(_ value: Int) throws(WebAuthnError) -> COSEAlgorithm {
        guard let algorithm = COSEAlgorithm(rawValue: value) else { throw .unsupportedAlgorithm(value) }
        return algorithm
    }

    /// The matching AuthCrypto scheme.
    public var signatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .es256: .es256
        case .es384: .es384
        case .es512: .es512
        case .eddsa: .eddsa
        case .rs256: .rs256
        case .rs384: .rs384
        case .rs512: .rs512
        case .ps256: .ps256
        case .ps384: .ps384
        case .ps512: .ps512
        }
    }

    /// The COSE key type (`kty`) a key for this algorithm must have: 2 (EC2), 1 (OKP) or 3 (RSA).
    public var keyType: Int {
        switch self {
        case .es256, .es384, .es512: 2
        case .eddsa: 1
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: 3
        }
    }

    /// Verifies a WebAuthn signature: ECDSA signatures are ASN.1 DER (as authenticators and browsers send
    /// them), RSA and EdDSA signatures are raw. Returns `false` for any bad signature, and when `key` does
    /// not fit this algorithm.
    func verify(_ signature: [UInt8], of message: [UInt8], with key: PublicKey) -> Bool {
        guard key.supports(signatureAlgorithm) else { return false }
        let valid = try? key.verify(signature, for: message, algorithm: signatureAlgorithm, ecdsaEncoding: .der)
        return valid == true
    }
}
