import AuthCrypto

/// An RFC 4226 HOTP generator: HMAC over an 8-byte big-endian counter, dynamic truncation, 6 to 8 digits.
///
/// The secret is passed to each call rather than stored, so one generator serves every user.
public struct HOTP: Sendable, Hashable {
    /// The supported code lengths. RFC 4226 requires at least 6; more than 8 would exceed the 31-bit
    /// truncated value's useful range for common authenticators.
    public static let allowedDigits: ClosedRange<Int> = 6...8
    /// The shortest accepted secret: 16 bytes (RFC 4226 §4, R6: at least 128 bits; 160 recommended).
    public static let minimumSecretByteCount = 16
    /// The recommended secret size for new enrollments: 20 bytes (160 bits, RFC 4226 §4).
    public static let recommendedSecretByteCount = 20

    /// The HMAC hash.
    public let algorithm: OTPAlgorithm
    /// The number of decimal digits in a code.
    public let digits: Int

    /// A generator; throws `.unsupportedDigits` for a length outside 6...8.
    public init(algorithm: OTPAlgorithm = .sha1, digits: Int = 6) throws(OTPError) {
        guard Self.allowedDigits.contains(digits) else { throw .unsupportedDigits(digits) }
        self.algorithm = algorithm
        self.digits = digits
    }

    /// A fresh random secret from AuthCrypto's CSPRNG, `recommendedSecretByteCount` bytes by default.
    /// Throws `.secretTooShort` for a size under `minimumSecretByteCount`.
    public static func generateSecret(byteCount: Int = recommendedSecretByteCount) throws(OTPError) -> [UInt8] {
        guard byteCount >= minimumSecretByteCount else { throw .secretTooShort(byteCount: byteCount) }
        return SecureRandom.bytes(byteCount)
    }

    /// The code for `counter`, zero-padded to `digits`. Throws `.secretTooShort` for a secret under 16 bytes.
    public func code(secret: [UInt8], counter: UInt64) throws(OTPError) -> String {
        guard secret.count >= Self.minimumSecretByteCount else { throw .secretTooShort(byteCount: secret.count) }
        let mac = HMAC.authenticate(key: secret, message: Self.counterBytes(counter), algorithm: algorithm.digest)
        return Self.format(Self.truncate(mac) % Self.modulus(digits), digits: digits)
    }

    /// Whether `code` is the code for `counter`, compared in constant time. Input that is not exactly
    /// `digits` ASCII digits is refused without computing anything.
    public func matches(code: String, secret: [UInt8], counter: UInt64) throws(OTPError) -> Bool {
        let expected = try self.code(secret: secret, counter: counter)
        guard isWellFormed(code) else { return false }
        return ConstantTime.equals(Array(expected.utf8), Array(code.utf8))
    }

    /// Whether `code` is exactly `digits` ASCII digits `0`-`9` (no signs, spaces or other scripts' digits).
    public func isWellFormed(_ code: String) -> Bool {
        let bytes = code.utf8
        return bytes.count == digits && bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes, whose value
    /// without the top bit is returned (31 bits).
    static func truncate(_ mac: [UInt8]) -> UInt32 {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        return UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
    }

    /// The counter as 8 big-endian bytes.
    static func counterBytes(_ counter: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
    }

    private static func modulus(_ digits: Int) -> UInt32 {
        var result: UInt32 = 1
        for _ in 0..<digits { result *= 10 }
        return result
    }

    private static func format(_ value: UInt32, digits: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
