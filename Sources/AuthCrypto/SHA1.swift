/// SHA-1 one-shot hashing, for legacy interoperability only (HOTP/TOTP, WebAuthn RS1).
public enum SHA1 {
    /// The digest size in bytes.
    public static let byteCount = 20

    /// The SHA-1 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { DigestAlgorithm.sha1.hash(bytes) }
}
