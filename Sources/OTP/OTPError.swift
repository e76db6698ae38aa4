/// Why an HOTP/TOTP generator, code computation or `otpauth://` URI was refused.
///
/// A wrong, malformed or replayed *user-supplied code* is not an error: `verify` returns `nil` for it.
/// These errors are caller or configuration mistakes.
public enum OTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The number of digits is outside `HOTP.allowedDigits` (6...8).
    case unsupportedDigits(Int)
    /// The TOTP period is not a positive number of seconds within `TOTP.allowedPeriods`.
    case unsupportedPeriod(Int)
    /// The secret is shorter than `HOTP.minimumSecretByteCount` (RFC 4226 §4 requires 128 bits).
    case secretTooShort(byteCount: Int)
    /// The time is before the Unix epoch (T0 = 0), where no time step exists.
    case timeBeforeEpoch(Int64)
    /// The verification window is outside `TOTP.allowedWindows`.
    case unsupportedWindow(Int)
    /// An `otpauth://` label part is empty, or the issuer contains a colon.
    case invalidLabel(String)

    /// A short English explanation.
    public var description: String {
        switch self {
        case .unsupportedDigits(let digits): "OTP digits must be 6...8, not \(digits)"
        case .unsupportedPeriod(let period): "TOTP period must be 1...3600 seconds, not \(period)"
        case .secretTooShort(let count): "OTP secret must be at least 16 bytes (128 bits), not \(count)"
        case .timeBeforeEpoch(let time): "TOTP time \(time) is before the Unix epoch"
        case .unsupportedWindow(let window): "TOTP verification window must be 0...10 steps, not \(window)"
        case .invalidLabel(let reason): "otpauth label: \(reason)"
        }
    }
}
