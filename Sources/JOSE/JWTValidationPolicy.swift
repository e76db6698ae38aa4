/// What a `JWTVerifier` requires of a token's `typ` header and claims.
public struct JWTValidationPolicy: Sendable {
    /// The largest clock-skew leeway accepted, in seconds.
    public static let maximumLeewaySeconds = 300

    /// The exact `iss` required.
    public var issuer: String
    /// The audience that `aud` (a string or an array of strings) must contain.
    public var audience: String
    /// Clock-skew allowance for `exp`, `nbf` and `iat`, in seconds (0...300).
    public var leewaySeconds: Int
    /// Whether `iat` must be present (it is always checked against the clock when present).
    public var requireIssuedAt: Bool
    /// The required `typ` header, compared case-insensitively (RFC 7515 §4.1.9); `nil` accepts any or none.
    public var requiredType: String?
    /// The longest token accepted, in bytes.
    public var maximumTokenLength: Int

    /// A policy for tokens from `issuer` meant for `audience`; `exp` and `sub` are always required.
    public init(issuer: String, audience: String, leewaySeconds: Int = 30, requireIssuedAt: Bool = true,
                requiredType: String? = "JWT", maximumTokenLength: Int = 8 * 1024) {
        self.issuer = issuer
        self.audience = audience
        self.leewaySeconds = leewaySeconds
        self.requireIssuedAt = requireIssuedAt
        self.requiredType = requiredType
        self.maximumTokenLength = maximumTokenLength
    }
}
