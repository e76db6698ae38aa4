import COpenSSL

extension PublicKey {
    /// Whether `signature` is a valid `algorithm` signature of `message` under this key.
    ///
    /// A bad signature of any shape (wrong length, non-DER, r or s out of range, tampered) returns `false`;
    /// this throws only if the key does not fit the algorithm (type, or curve for ECDSA): `.invalidKey`.
    /// `ecdsaEncoding` applies to ES256/ES384/ES512 only: `.raw` needs exactly `2 * coordinateByteCount`
    /// bytes, `.der` a strict DER SEQUENCE. RSA-PSS uses MGF1 with the same hash and a salt of hash length.
    public func verify(_ signature: [UInt8], for message: [UInt8], algorithm: SignatureAlgorithm,
                       ecdsaEncoding: ECDSASignatureEncoding = .raw) throws(CryptoError) -> Bool {
        guard key.fits(algorithm) else {
            throw CryptoError(.invalidKey, "\(self) cannot verify \(algorithm.rawValue) signatures")
        }
        var signatureBytes = signature
        if let curve = algorithm.curve, ecdsaEncoding == .raw {
            guard let der = ECDSASignatureEncoding.derFromRaw(signature, coordinateByteCount: curve.coordinateByteCount) else {
                CryptoError.discardOpenSSLErrors()
                return false
            }
            signatureBytes = der
        }
        guard !signatureBytes.isEmpty else { return false }
        let valid = Self.digestVerify(key: key.pointer, algorithm: algorithm, signature: signatureBytes, message: message)
        CryptoError.discardOpenSSLErrors()
        return valid
    }

    /// One `EVP_DigestVerify` call; `true` only when OpenSSL returns 1.
    private static func digestVerify(key: OpaquePointer, algorithm: SignatureAlgorithm, signature: [UInt8], message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(context, &keyContext, algorithm.digest?.evpMD, nil, key) == 1 else { return false }
        if algorithm.isPSS {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1
            else { return false }
        }
        return signature.withNonNullUInt8s { signaturePointer, signatureCount in
            message.withNonNullUInt8s { messagePointer, messageCount in
                EVP_DigestVerify(context, signaturePointer, signatureCount, messagePointer, messageCount) == 1
            }
        }
    }
}
