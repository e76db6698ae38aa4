import COpenSSL

/// HMAC (RFC 2104) from OpenSSL, one-shot.
public enum HMAC {
    /// The HMAC of `message` under `key` with `algorithm`'s hash; the tag is `algorithm.byteCount` bytes.
    /// Any key length is allowed, including empty (HOTP/TOTP seeds are short); callers pick key sizes.
    public static func authenticate(key: [UInt8], message: [UInt8], algorithm: DigestAlgorithm) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let result = key.withNonNullBytes { keyPointer, keyCount in
            message.withNonNullUInt8s { messagePointer, messageCount in
                out.withUnsafeMutableBufferPointer { output in
                    COpenSSL.HMAC(algorithm.evpMD, keyPointer, Int32(keyCount), messagePointer, messageCount,
                                  output.baseAddress, &length)
                }
            }
        }
        // HMAC over a built-in digest fails only if memory is exhausted; there is no safe way on.
        precondition(result != nil && Int(length) == algorithm.byteCount, "OpenSSL HMAC failed: \(CryptoError("HMAC"))")
        return out
    }

    /// Whether `tag` is the HMAC of `message` under `key`, compared in constant time.
    public static func isValid(tag: [UInt8], key: [UInt8], message: [UInt8], algorithm: DigestAlgorithm) -> Bool {
        ConstantTime.equals(authenticate(key: key, message: message, algorithm: algorithm), tag)
    }
}
