import AuthCrypto

/// The HMAC hash of an HOTP/TOTP generator. Raw values are the `algorithm` names of the `otpauth://` URI.
public enum OTPAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// HMAC-SHA-1, the RFC 4226 default and the only one every authenticator app supports.
    case sha1 = "SHA1"
    /// HMAC-SHA-256 (RFC 6238).
    case sha256 = "SHA256"
    /// HMAC-SHA-512 (RFC 6238).
    case sha512 = "SHA512"

    /// The AuthCrypto digest behind this algorithm.
    public var digest: DigestAlgorithm {
        switch self {
        case .sha1: .sha1
        case .sha256: .sha256
        case .sha512: .sha512
        }
    }
}
