import COpenSSL

/// A private signing key for ES256 (P-256), EdDSA (Ed25519) or RS256 (RSA, 2048 bits or more).
///
/// The algorithm follows from the key: a P-256 key signs ES256, an Ed25519 key EdDSA, an RSA key RS256.
public final class SigningKey: Sendable {
    /// The algorithms a `SigningKey` can sign with.
    public static let supportedAlgorithms: [SignatureAlgorithm] = [.es256, .eddsa, .rs256]

    let key: EVPKey

    /// The algorithm this key signs with.
    public let algorithm: SignatureAlgorithm

    private init(key: EVPKey) throws(CryptoError) {
        switch (key.type, key.curve) {
        case (.ec, .p256?): algorithm = .es256
        case (.ed25519, _): algorithm = .eddsa
        case (.rsa, _): algorithm = .rs256
        default: throw CryptoError(.invalidKey, "signing keys must be P-256, Ed25519 or RSA")
        }
        self.key = key
    }

    /// Generates a fresh key for `algorithm` (ES256, EdDSA or RS256; `rsaBits` applies to RS256 only).
    /// Throws `.invalidInput` for other algorithms or an RSA size outside 2048...16384.
    public static func generate(_ algorithm: SignatureAlgorithm, rsaBits: Int = 2048) throws(CryptoError) -> SigningKey {
        let keyType: String
        switch algorithm {
        case .es256: keyType = "EC"
        case .eddsa: keyType = "ED25519"
        case .rs256:
            keyType = "RSA"
            guard rsaBits >= EVPKey.minimumRSABits, rsaBits <= EVPKey.maximumRSABits else {
                throw CryptoError(.invalidInput, "RSA key size \(rsaBits) is outside \(EVPKey.minimumRSABits)...\(EVPKey.maximumRSABits)")
            }
        default:
            throw CryptoError(.invalidInput, "cannot generate signing keys for \(algorithm.rawValue)")
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, keyType, nil) else { throw CryptoError("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError("EVP_PKEY_keygen_init") }
        switch algorithm {
        case .es256:
            guard EVP_PKEY_CTX_set_group_name(context, ECCurve.p256.openSSLGroupName) == 1 else { throw CryptoError("EVP_PKEY_CTX_set_group_name") }
        case .rs256:
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(rsaBits)) == 1 else { throw CryptoError("EVP_PKEY_CTX_set_rsa_keygen_bits") }
        default:
            break
        }
        var pointer: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &pointer) == 1, let pointer else { throw CryptoError("EVP_PKEY_generate") }
        return try SigningKey(key: EVPKey.take(pointer))
    }

    /// Imports an unencrypted PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM. Encrypted or legacy (`EC PRIVATE KEY`,
    /// `RSA PRIVATE KEY`) PEMs, other curves and RSA below 2048 bits throw `.invalidKey`.
    public convenience init(pkcs8PEM pem: String) throws(CryptoError) {
        let trimmed = pem.drop { $0.isWhitespace }
        guard trimmed.hasPrefix("-----BEGIN PRIVATE KEY-----") else {
            throw CryptoError(.invalidKey, "expected an unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)")
        }
        // The callback refuses any passphrase request, so OpenSSL never prompts on a terminal.
        let pointer: OpaquePointer? = MemoryBIO.reading(pem) { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let pointer else { throw CryptoError(.invalidKey, "PKCS#8 private key PEM did not parse") }
        try self.init(key: EVPKey.take(pointer))
    }

    /// The unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Store it only under encryption.
    public func pkcs8PEM() throws(CryptoError) -> String {
        let text = MemoryBIO.writing(secure: true) { bio in
            PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil) == 1
        }
        guard let text else { throw CryptoError("PEM_write_bio_PKCS8PrivateKey") }
        return text
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        // The SPKI of a key we hold always re-imports; a failure here is a broken invariant.
        let spki = key.publicSPKI()
        do {
            return try PublicKey(spkiDER: spki)
        } catch {
            preconditionFailure("public half of a signing key did not import: \(error)")
        }
    }

    /// Signs `message`. ES256 returns raw `r || s` (64 bytes, as JOSE needs), EdDSA 64 bytes, RS256 a
    /// PKCS#1 v1.5 SHA-256 signature of the modulus size.
    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        let signature = try digestSign(message)
        guard algorithm == .es256 else { return signature }
        guard let raw = ECDSASignatureEncoding.rawFromDER(signature, coordinateByteCount: ECCurve.p256.coordinateByteCount) else {
            throw CryptoError("ECDSA signature conversion to r||s")
        }
        return raw
    }

    /// Signs `message` with ES256 and returns the DER form. Throws `.invalidKey` for non-ECDSA keys.
    public func signDER(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard algorithm == .es256 else { throw CryptoError(.invalidKey, "DER signatures exist for ECDSA keys only") }
        return try digestSign(message)
    }

    private func digestSign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, algorithm.digest?.evpMD, nil, key.pointer) == 1 else {
            throw CryptoError("EVP_DigestSignInit")
        }
        var length = 0
        let sized = message.withNonNullUInt8s { pointer, count in EVP_DigestSign(context, nil, &length, pointer, count) }
        guard sized == 1, length > 0 else { throw CryptoError("EVP_DigestSign (size)") }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = message.withNonNullUInt8s { pointer, count in
            signature.withUnsafeMutableBufferPointer { EVP_DigestSign(context, $0.baseAddress, &length, pointer, count) }
        }
        guard signed == 1 else { throw CryptoError("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }
}
