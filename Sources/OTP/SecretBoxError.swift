import AuthCrypto

/// Why a TOTP secret could not be sealed or opened.
public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data key is not `SecretBox.keyByteCount` (32) bytes.
    case invalidKeySize(Int)
    /// The sealed bytes are shorter than a nonce and a tag, so they cannot be a sealed box.
    case malformed
    /// The sealed bytes, the key or the associated data do not match: tampering, or the wrong user.
    case authenticationFailed
    /// OpenSSL failed for another reason.
    case crypto(CryptoError)

    /// A short English explanation.
    public var description: String {
        switch self {
        case .invalidKeySize(let count): "secret box key must be 32 bytes, not \(count)"
        case .malformed: "sealed secret is shorter than a nonce and a tag"
        case .authenticationFailed: "sealed secret failed authentication (tampered, wrong key or wrong associated data)"
        case .crypto(let error): "secret box: \(error)"
        }
    }
}
