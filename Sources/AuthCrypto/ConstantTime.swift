import COpenSSL

/// Comparisons whose running time does not depend on where secret bytes differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Different lengths return `false` at once (lengths are not
    /// secret); equal lengths are compared with OpenSSL's `CRYPTO_memcmp`, which reads every byte.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withNonNullBytes { left, count in
            b.withNonNullBytes { right, _ in CRYPTO_memcmp(left, right, count) == 0 }
        }
    }
}
