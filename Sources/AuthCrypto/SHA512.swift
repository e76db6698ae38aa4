/// SHA-512 one-shot hashing.
public enum SHA512 {
    /// The digest size in bytes.
    public static let byteCount = 64

    /// The SHA-512 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { DigestAlgorithm.sha512.hash(bytes) }
}
