/// The claims of a verified JWT: the registered ones checked by the policy, and all of them as parsed.
public struct JWTClaims: Sendable {
    /// `sub`.
    public let subject: String
    /// `iss`.
    public let issuer: String
    /// `aud`, as a list (a single string becomes one element).
    public let audience: [String]
    /// `exp`, seconds since the Unix epoch.
    public let expiresAt: Double
    /// `nbf`, if present.
    public let notBefore: Double?
    /// `iat`, if present.
    public let issuedAt: Double?
    /// `jti`, if present and a string.
    public let jwtID: String?
    /// Every claim, registered and private.
    public let all: [String: JSONValue]
    /// The key that verified the token.
    public let key: TrustedKey
}
