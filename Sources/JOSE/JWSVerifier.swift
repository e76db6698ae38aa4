/// Verifies compact JWS (RFC 7515 §7.1) against a fixed set of trusted keys, without interpreting the
/// payload. `JWTVerifier` builds on it for JWT claims.
///
/// Refused: anything but three segments, non-strict base64url, header JSON that is invalid, not an object or
/// has duplicate members, a missing or `none` or unsupported `alg`, `crit`, the key-steering headers `jwk`,
/// `jku`, `x5u`, `x5c` (and `zip`, `b64`), a missing or unknown `kid`, an `alg` other than the key's, and a
/// signature that does not verify.
public struct JWSVerifier: Sendable {
    /// The default cap on token length, in bytes.
    public static let defaultMaximumLength = 16 * 1024

    private let keys: [String: TrustedKey]
    private let maximumLength: Int

    /// A verifier trusting `keys`, selected by exact `kid`. Throws `.invalidConfiguration` for duplicate ids.
    public init(keys: [TrustedKey], maximumLength: Int = JWSVerifier.defaultMaximumLength) throws(JWTError) {
        var byID: [String: TrustedKey] = [:]
        for key in keys {
            guard byID.updateValue(key, forKey: key.keyID) == nil else { throw .invalidConfiguration("duplicate kid \(key.keyID)") }
        }
        self.keys = byID
        self.maximumLength = maximumLength
    }

    /// Verifies `token`, choosing the key by the header's `kid` (required).
    public func verify(_ token: String) throws(JWTError) -> VerifiedJWS {
        let jws = try JWSCompact(token, maximumLength: maximumLength)
        guard let keyID = jws.keyID else { throw .missingKeyID }
        guard let key = keys[keyID] else { throw .unknownKeyID(keyID) }
        return VerifiedJWS(header: jws.header, payload: try jws.verify(with: key), key: key)
    }

    /// Verifies `token` with one given key, for tokens without a `kid`; a `kid` that is present must equal
    /// the key's. All other checks are the same as `verify(_:)`.
    public static func verify(_ token: String, with key: TrustedKey, maximumLength: Int = defaultMaximumLength) throws(JWTError) -> VerifiedJWS {
        let jws = try JWSCompact(token, maximumLength: maximumLength)
        if let keyID = jws.keyID, keyID != key.keyID { throw .unknownKeyID(keyID) }
        return VerifiedJWS(header: jws.header, payload: try jws.verify(with: key), key: key)
    }
}
