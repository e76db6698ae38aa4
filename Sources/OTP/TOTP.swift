import AuthCrypto

/// An RFC 6238 TOTP generator and verifier: HOTP over the time step `floor((unixSeconds - T0) / period)`
/// with T0 = 0, a 30-second period and 6 digits by default.
///
/// Verification returns the matched time step. The caller stores it and passes it back as `lastUsedStep`
/// on the next attempt: any step at or before it is refused, so a code accepted once is never accepted
/// again, and neither is any older code (RFC 6238 §5.2).
public struct TOTP: Sendable, Hashable {
    /// The default period, 30 seconds (RFC 6238 §5.2).
    public static let defaultPeriod = 30
    /// The accepted periods in seconds.
    public static let allowedPeriods: ClosedRange<Int> = 1...3600
    /// The accepted verification windows, in steps either side of the current one.
    public static let allowedWindows: ClosedRange<Int> = 0...10

    /// The code generator (algorithm and digits).
    public let hotp: HOTP
    /// The time step in seconds.
    public let period: Int

    /// The HMAC hash.
    public var algorithm: OTPAlgorithm { hotp.algorithm }
    /// The number of digits in a code.
    public var digits: Int { hotp.digits }

    /// A time step that matched during verification.
    public struct Match: Sendable, Hashable {
        /// The matched time step: persist it and pass it as `lastUsedStep` next time.
        public let step: UInt64
        /// The matched step minus the current step (-window...window): the client's clock drift in steps.
        public let offset: Int
    }

    /// A generator; throws `.unsupportedDigits` outside 6...8 and `.unsupportedPeriod` outside 1...3600 s.
    public init(algorithm: OTPAlgorithm = .sha1, digits: Int = 6, period: Int = defaultPeriod) throws(OTPError) {
        guard Self.allowedPeriods.contains(period) else { throw .unsupportedPeriod(period) }
        hotp = try HOTP(algorithm: algorithm, digits: digits)
        self.period = period
    }

    /// The time step containing `unixSeconds`: `floor(unixSeconds / period)`. Throws `.timeBeforeEpoch`
    /// for negative times.
    public func step(at unixSeconds: Int64) throws(OTPError) -> UInt64 {
        guard unixSeconds >= 0 else { throw .timeBeforeEpoch(unixSeconds) }
        return UInt64(unixSeconds) / UInt64(period)
    }

    /// The code for the step containing `unixSeconds`.
    public func code(secret: [UInt8], at unixSeconds: Int64) throws(OTPError) -> String {
        try hotp.code(secret: secret, counter: step(at: unixSeconds))
    }

    /// The code for time step `step`.
    public func code(secret: [UInt8], step: UInt64) throws(OTPError) -> String {
        try hotp.code(secret: secret, counter: step)
    }

    /// Checks `code` against the steps within `window` of the one containing `unixSeconds`, skipping every
    /// step at or before `lastUsedStep`. Returns the match, or `nil` for a wrong, malformed (not exactly
    /// `digits` ASCII digits), replayed or too old code.
    ///
    /// Every candidate step is computed and compared in constant time, without stopping at a match. If a
    /// code matches several steps (a chance collision), the latest is returned, so that persisting it
    /// refuses the same code afterwards.
    ///
    /// Throws only for caller errors: a secret under 16 bytes, a negative time, a window outside 0...10.
    public func verify(code: String, secret: [UInt8], at unixSeconds: Int64, window: Int = 1, lastUsedStep: UInt64?) throws(OTPError) -> Match? {
        guard Self.allowedWindows.contains(window) else { throw .unsupportedWindow(window) }
        guard secret.count >= HOTP.minimumSecretByteCount else { throw .secretTooShort(byteCount: secret.count) }
        let current = try step(at: unixSeconds)
        guard hotp.isWellFormed(code) else { return nil }
        let submitted = Array(code.utf8)
        var match: Match? = nil
        for offset in -window...window {
            let (candidate, overflow) = offset < 0
                ? current.subtractingReportingOverflow(UInt64(-offset))
                : current.addingReportingOverflow(UInt64(offset))
            if overflow { continue }
            if let lastUsedStep, candidate <= lastUsedStep { continue }
            let expected = try hotp.code(secret: secret, counter: candidate)
            if ConstantTime.equals(Array(expected.utf8), submitted) { match = Match(step: candidate, offset: offset) }
        }
        return match
    }
}
