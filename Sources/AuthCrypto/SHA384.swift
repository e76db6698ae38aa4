/// SHA-384 one-shot hashing.
public enum SHA384 {
    /// The digest size in bytes.
    public static let byteCount = 48

    /// The SHA-384 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { DigestAlgorithm.sha384.hash(bytes) }
}
