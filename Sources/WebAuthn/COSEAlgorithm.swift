import AuthCrypto

/// The COSE signature algorithms (IANA "COSE Algorithms" registry) this library can verify.
///
/// Not implemented, and so rejected as ``WebAuthnError/unsupportedAlgorithm(_:)``: ML-DSA (-48/-49/-50), which
/// the system's OpenSSL 3.0 lacks (it arrived in OpenSSL 3.5, and no signature scheme is implemented by hand
/// here), and anything else unlisted.
///
/// ``rs1`` (RSASSA-PKCS1-v1_5 with SHA-1) exists for legacy TPM credential keys only. SHA-1 is not
/// collision-resistant, so RS1 is verified only where a relying party lists it in
/// ``RelyingParty/allowedAlgorithms`` explicitly: ``defaultAllowed`` never includes it, a ceremony with an RS1
/// key under any other configuration fails with ``WebAuthnError/algorithmNotAllowed(_:)``, and a `packed`
/// attestation statement signed with RS1 is refused whatever the configuration.
public enum COSEAlgorithm: Int, Sendable, CaseIterable, Codable {
    /// ECDSA with SHA-256 on P-256.
    case es256 = -7
    /// ECDSA with SHA-384 on P-384.
    case es384 = -35
    /// ECDSA with SHA-512 on P-521.
    case es512 = -36
    /// EdDSA; only the Ed25519 curve (COSE `crv` 6) is accepted under this identifier.
    case eddsa = -8
    /// Ed448 (RFC 9864's fully specified EdDSA over Ed448; COSE OKP key with `crv` 7).
    case ed448 = -53
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
    /// RSASSA-PKCS1-v1_5 with SHA-1: legacy TPM keys only, verified only when the relying party lists it (see
    /// the type's documentation).
    case rs1 = -65535

    /// The relying party's default list: ES256, EdDSA, RS256 (what browsers and authenticators commonly offer).
    /// It never includes ``rs1``.
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
        case .ed448: .ed448
        case .rs256: .rs256
        case .rs384: .rs384
        case .rs512: .rs512
        case .ps256: .ps256
        case .ps384: .ps384
        case .ps512: .ps512
        case .rs1: .rs1
        }
    }

    /// The COSE key type (`kty`) a key for this algorithm must have: 2 (EC2), 1 (OKP) or 3 (RSA).
    public var keyType: Int {
        switch self {
        case .es256, .es384, .es512: 2
        case .eddsa, .ed448: 1
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .rs1: 3
        }
    }

    /// Verifies a WebAuthn signature: ECDSA signatures are ASN.1 DER (as authenticators and browsers send
    /// them), RSA and EdDSA (Ed25519, Ed448) signatures are raw. Returns `false` for any bad signature, and when
    /// `key` does not fit this algorithm.
    func verify(_ signature: [UInt8], of message: [UInt8], with key: PublicKey) -> Bool {
        guard key.supports(signatureAlgorithm) else { return false }
        let valid = try? key.verify(signature, for: message, algorithm: signatureAlgorithm, ecdsaEncoding: .der)
        return valid == true
    }
}
