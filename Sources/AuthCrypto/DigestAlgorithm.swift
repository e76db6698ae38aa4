import COpenSSL

/// A hash function from OpenSSL, for digests, HMAC and signatures.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    /// SHA-1: only for legacy interoperability (HOTP/TOTP, WebAuthn RS1), never for new designs.
    case sha1 = "SHA-1"
    /// SHA-256.
    case sha256 = "SHA-256"
    /// SHA-384.
    case sha384 = "SHA-384"
    /// SHA-512.
    case sha512 = "SHA-512"

    /// The digest size in bytes.
    public var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The digest of `bytes` (one-shot `EVP_Digest`).
    public func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let status = bytes.withNonNullBytes { input, count in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input, count, output.baseAddress, &length, evpMD, nil)
            }
        }
        // EVP_Digest on a built-in digest fails only if memory is exhausted; there is no safe way on.
        precondition(status == 1 && Int(length) == byteCount, "OpenSSL EVP_Digest failed: \(CryptoError("EVP_Digest"))")
        return out
    }

    /// OpenSSL's static method table for this digest.
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }
}
