/// Verifies JWTs (RFC 7519) in compact JWS form: `JWSVerifier`'s checks, then `typ`, then the claims
/// against a `JWTValidationPolicy` at a time the caller supplies.
///
/// Claims: `exp` is required (now must be before exp + leeway), `nbf` must not be ahead, `iat` must not be in
/// the future (and is required unless the policy says otherwise), `iss` must equal the policy's issuer,
/// `aud` must contain its audience, and `sub` must be a non-empty string. The claims object is parsed
/// strictly, duplicate member names included.
public struct JWTVerifier: Sendable {
    private let jws: JWSVerifier
    /// The policy applied to every token.
    public let policy: JWTValidationPolicy

    /// A verifier trusting `keys` (selected by `kid`). Throws `.invalidConfiguration` for duplicate key ids
    /// or a leeway outside 0...300 seconds.
    public init(keys: [TrustedKey], policy: JWTValidationPolicy) throws(JWTError) {
        guard (0...JWTValidationPolicy.maximumLeewaySeconds).contains(policy.leewaySeconds) else {
            throw .invalidConfiguration("leeway \(policy.leewaySeconds)s is outside 0...\(JWTValidationPolicy.maximumLeewaySeconds)")
        }
        jws = try JWSVerifier(keys: keys, maximumLength: policy.maximumTokenLength)
        self.policy = policy
    }

    /// Verifies `token` at `now` (seconds since the Unix epoch, from the caller's clock).
    public func verify(_ token: String, now: Int64) throws(JWTError) -> JWTClaims {
        try checkClaims(of: try jws.verify(token), now: now)
    }

    /// Verifies `token` at `now` with one given key, for issuers whose tokens carry no `kid` while publishing a
    /// single key: a `kid` that is present must equal the key's (``JWSVerifier/verify(_:with:maximumLength:)``); the
    /// claims are checked as by ``verify(_:now:)``.
    public func verify(_ token: String, now: Int64, onlyKey key: TrustedKey) throws(JWTError) -> JWTClaims {
        try checkClaims(of: try JWSVerifier.verify(token, with: key, maximumLength: policy.maximumTokenLength), now: now)
    }

    /// The `typ` and claim checks of a verified JWS.
    private func checkClaims(of verified: VerifiedJWS, now: Int64) throws(JWTError) -> JWTClaims {
        if let requiredType = policy.requiredType {
            let typ = verified.header["typ"]?.stringValue
            guard typ?.lowercased() == requiredType.lowercased() else { throw .unexpectedType(typ) }
        }
        let claims = try JWSCompact.object(verified.payload, part: .payload)
        let now = Double(now), leeway = Double(policy.leewaySeconds)

        let expiresAt = try Self.numericDate(claims, "exp", required: true)!
        guard now < expiresAt + leeway else { throw .expired }
        let notBefore = try Self.numericDate(claims, "nbf", required: false)
        if let notBefore, now + leeway < notBefore { throw .notYetValid }
        let issuedAt = try Self.numericDate(claims, "iat", required: policy.requireIssuedAt)
        if let issuedAt, issuedAt > now + leeway { throw .issuedInFuture }

        let issuer = try Self.string(claims, "iss")
        guard issuer == policy.issuer else { throw .issuerMismatch }
        let audience = try Self.audience(claims)
        guard audience.contains(policy.audience) else { throw .audienceMismatch }
        let subject = try Self.string(claims, "sub")

        var jwtID: String? = nil
        if let jti = claims["jti"] {
            guard let value = jti.stringValue else { throw .invalidClaim("jti") }
            jwtID = value
        }
        return JWTClaims(subject: subject, issuer: issuer, audience: audience, expiresAt: expiresAt, notBefore: notBefore,
                         issuedAt: issuedAt, jwtID: jwtID, all: claims, key: verified.key)
    }

    /// A NumericDate claim: a finite JSON number; `nil` only when absent and not required.
    private static func numericDate(_ claims: [String: JSONValue], _ name: String, required: Bool) throws(JWTError) -> Double? {
        guard let value = claims[name] else {
            if required { throw .missingClaim(name) }
            return nil
        }
        guard let number = value.numberValue else { throw .invalidClaim(name) }
        return number
    }

    /// A required, non-empty string claim.
    private static func string(_ claims: [String: JSONValue], _ name: String) throws(JWTError) -> String {
        guard let value = claims[name] else { throw .missingClaim(name) }
        guard let text = value.stringValue, !text.isEmpty else { throw .invalidClaim(name) }
        return text
    }

    /// `aud` as a string or a non-empty array of strings.
    private static func audience(_ claims: [String: JSONValue]) throws(JWTError) -> [String] {
        switch claims["aud"] {
        case nil: throw .missingClaim("aud")
        case let .string(value)?: return [value]
        case let .array(values)?:
            let strings = values.compactMap(\.stringValue)
            guard !strings.isEmpty, strings.count == values.count else { throw .invalidClaim("aud") }
            return strings
        default: throw .invalidClaim("aud")
        }
    }
}
