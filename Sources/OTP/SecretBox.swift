import AuthCrypto

/// Encrypts TOTP secrets for storage with AES-256-GCM under a 32-byte server data key, bound to
/// associated data such as the user id, so a sealed secret cannot be moved to another user unnoticed.
///
/// The sealed form is AuthCrypto's combined `nonce (12) || ciphertext || tag (16)`, with a fresh random
/// nonce per seal. The associated data given to GCM is `associatedDataPrefix` followed by the caller's,
/// which keeps these boxes apart from anything else sealed under the same key.
public struct SecretBox: Sendable {
    /// The data key size: 32 bytes (AES-256).
    public static let keyByteCount = AESGCM.keyByteCount
    /// Bytes added by sealing: nonce and tag.
    public static let overhead = AESGCM.nonceByteCount + AESGCM.tagByteCount
    /// The domain-separation label put before the caller's associated data: `authlog/otp-secret/v1` and a zero byte.
    public static let associatedDataPrefix: [UInt8] = Array("authlog/otp-secret/v1".utf8) + [0]

    private let key: [UInt8]

    /// A box under `key`; throws `.invalidKeySize` unless it is 32 bytes.
    public init(key: [UInt8]) throws(SecretBoxError) {
        guard key.count == Self.keyByteCount else { throw .invalidKeySize(key.count) }
        self.key = key
    }

    /// Encrypts `secret`, authenticating `associatedData` (e.g. the user id's bytes), and returns the
    /// combined sealed bytes.
    public func seal(_ secret: [UInt8], associatedData: [UInt8]) throws(SecretBoxError) -> [UInt8] {
        do throws(CryptoError) {
            return try AESGCM.seal(secret, key: key, authenticating: Self.associatedDataPrefix + associatedData).combined
        } catch {
            throw .crypto(error)
        }
    }

    /// Decrypts combined sealed bytes made by `seal` with the same key and associated data. Throws
    /// `.authenticationFailed` if any byte was changed or the associated data differ, `.malformed` if
    /// the input is too short to be a box.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws(SecretBoxError) -> [UInt8] {
        guard sealed.count >= Self.overhead else { throw .malformed }
        do throws(CryptoError) {
            let box = try AESGCM.SealedBox(combined: sealed)
            return try AESGCM.open(box, key: key, authenticating: Self.associatedDataPrefix + associatedData)
        } catch where error.kind == .authenticationFailed {
            throw .authenticationFailed
        } catch {
            throw .crypto(error)
        }
    }
}
