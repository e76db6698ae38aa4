import COpenSSL

/// A public key for signature verification: EC (P-256, P-384, P-521), RSA (2048 bits or more), Ed25519 or Ed448.
///
/// Import checks the key: EC points must be on their curve, RSA moduli must be at least 2048 bits with an
/// odd public exponent above 1, Ed25519/Ed448 keys must be canonical encodings of points not of small order;
/// anything else throws `CryptoError` of kind `.invalidKey`.
public final class PublicKey: Sendable, Equatable, CustomStringConvertible {
    let key: EVPKey

    init(checking key: EVPKey) throws(CryptoError) {
        switch key.type {
        case .ec:
            guard key.passesPublicCheck() else { throw CryptoError(.invalidKey, "EC public key failed validation") }
        case .rsa:
            guard let exponent = key.bigNumberParameter(OSSL_PKEY_PARAM_RSA_E), let modulus = key.bigNumberParameter(OSSL_PKEY_PARAM_RSA_N),
                  exponent.last.map({ $0 & 1 == 1 }) == true, exponent != [1], modulus.last.map({ $0 & 1 == 1 }) == true
            else { throw CryptoError(.invalidKey, "RSA public key has an even modulus or a bad exponent") }
        case .ed25519:
            // Canonical and not of small order (a small-order key lets one signature verify for every message).
            guard let raw = key.rawPublicKey(byteCount: 32) else { throw CryptoError(.invalidKey, "Ed25519 public key unreadable") }
            try EdwardsPointEncoding.checkEd25519(raw)
        case .ed448:
            guard let raw = key.rawPublicKey(byteCount: 57) else { throw CryptoError(.invalidKey, "Ed448 public key unreadable") }
            try EdwardsPointEncoding.checkEd448(raw)
        }
        self.key = key
    }

    /// Imports a DER SubjectPublicKeyInfo (RFC 5280), the form in certificates and `PUBLIC KEY` PEM files.
    /// Trailing bytes after the structure are rejected.
    public convenience init(spkiDER: [UInt8]) throws(CryptoError) {
        var consumed = 0
        let pointer: OpaquePointer? = spkiDER.withNonNullUInt8s { start, count in
            var cursor: UnsafePointer<UInt8>? = start
            let result = d2i_PUBKEY(nil, &cursor, count)
            if let cursor { consumed = start.distance(to: cursor) }
            return result
        }
        guard let pointer else { throw CryptoError(.invalidKey, "SubjectPublicKeyInfo DER did not parse") }
        guard consumed == spkiDER.count else {
            EVP_PKEY_free(pointer)
            throw CryptoError(.invalidKey, "SubjectPublicKeyInfo DER has trailing bytes")
        }
        try self.init(checking: EVPKey.take(pointer))
    }

    /// Imports a `-----BEGIN PUBLIC KEY-----` PEM (SubjectPublicKeyInfo).
    public convenience init(pem: String) throws(CryptoError) {
        let pointer: OpaquePointer? = MemoryBIO.reading(pem) { bio in PEM_read_bio_PUBKEY(bio, nil, nil, nil) }
        guard let pointer else { throw CryptoError(.invalidKey, "public key PEM did not parse") }
        try self.init(checking: EVPKey.take(pointer))
    }

    /// The key type.
    public var keyType: KeyType { key.type }

    /// The curve of an EC key, `nil` for RSA, Ed25519 and Ed448.
    public var curve: ECCurve? { key.curve }

    /// The key size in bits (the modulus size for RSA).
    public var bitCount: Int { key.bits }

    /// The DER SubjectPublicKeyInfo encoding.
    public var spkiDER: [UInt8] { key.publicSPKI() }

    /// The `-----BEGIN PUBLIC KEY-----` PEM encoding.
    public var pem: String {
        guard let text = MemoryBIO.writing({ bio in PEM_write_bio_PUBKEY(bio, key.pointer) == 1 }) else {
            preconditionFailure("PEM_write_bio_PUBKEY failed on a validated key: \(CryptoError("PEM_write_bio_PUBKEY"))")
        }
        return text
    }

    /// Whether signatures of `algorithm` can be checked with this key (key type, and curve for ECDSA).
    public func supports(_ algorithm: SignatureAlgorithm) -> Bool { key.fits(algorithm) }

    /// Keys are equal when they are the same public key (OpenSSL `EVP_PKEY_eq`).
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        let equal = EVP_PKEY_eq(lhs.key.pointer, rhs.key.pointer) == 1
        CryptoError.discardOpenSSLErrors()
        return equal
    }

    /// The key type, with the curve or size.
    public var description: String {
        switch key.type {
        case .ec: "PublicKey(EC \(key.curve?.rawValue ?? "?"))"
        case .rsa: "PublicKey(RSA \(key.bits))"
        case .ed25519: "PublicKey(Ed25519)"
        case .ed448: "PublicKey(Ed448)"
        }
    }
}
