import AuthCrypto

/// Why a JWS or JWT was refused, or a key or signer could not be set up. One case per reason.
public enum JWTError: Error, Sendable, Equatable {
    // MARK: Framing and encoding

    /// The token is longer than the verifier accepts (the limit is attached).
    case tokenTooLarge(limit: Int)
    /// Compact serialization has exactly three dot-separated segments; this token has another count.
    case wrongSegmentCount(Int)
    /// A segment is not strict unpadded base64url (padding, other alphabet, whitespace, non-zero spare bits).
    case invalidBase64URL(JWSPart)
    /// A segment that must be JSON is not valid JSON (or not valid UTF-8).
    case invalidJSON(JWSPart)
    /// A JSON object in a segment has this member name twice.
    case duplicateJSONKey(JWSPart, String)
    /// The header or the claims are valid JSON but not an object.
    case notAJSONObject(JWSPart)

    // MARK: Header

    /// The header has no `alg`.
    case missingAlgorithm
    /// `alg` is `none` in any letter case: unsecured JWS is never accepted.
    case algorithmNone
    /// `alg` names an algorithm this verifier does not implement (HS256, PS256, ES512, ...).
    case unsupportedAlgorithm(String)
    /// `alg` differs from the algorithm the selected key is pinned to.
    case algorithmMismatch(expected: JWSAlgorithm, actual: String)
    /// A header parameter that would let the token choose its own key or processing (`jwk`, `jku`, `x5u`,
    /// `x5c`, `zip`, `b64`) is present.
    case forbiddenHeader(String)
    /// `crit` is present: no extensions are understood, so every critical header is refused.
    case criticalHeader
    /// A registered header parameter has the wrong JSON type (`alg`, `kid` or `typ` not a string).
    case invalidHeaderField(String)
    /// `typ` is absent or is not the expected type.
    case unexpectedType(String?)
    /// The header has no `kid`, and the verifier selects keys by `kid`.
    case missingKeyID
    /// No trusted key has this `kid` (ids are compared exactly, never interpreted).
    case unknownKeyID(String)

    // MARK: Signature

    /// The signature does not verify with the selected key (including an empty or wrong-length one).
    case invalidSignature

    // MARK: Claims

    /// A required claim is absent.
    case missingClaim(String)
    /// A claim has the wrong JSON type or an unusable value (a non-numeric `exp`, an empty `aud` array).
    case invalidClaim(String)
    /// `exp` has passed (now ≥ exp + leeway).
    case expired
    /// `nbf` is still ahead (now + leeway < nbf).
    case notYetValid
    /// `iat` is in the future (iat > now + leeway).
    case issuedInFuture
    /// `iss` is not the expected issuer (exact comparison).
    case issuerMismatch
    /// `aud` (a string or an array) does not contain the expected audience.
    case audienceMismatch

    // MARK: Keys and signing

    /// A key or JWK cannot be trusted for verification (reason attached).
    case invalidKey(String)
    /// The verifier configuration is unusable (duplicate `kid`s, a leeway out of range).
    case invalidConfiguration(String)
    /// The claims cannot be serialized (a non-finite number).
    case unserializableClaims
    /// The cryptographic layer failed while signing.
    case signingFailed(CryptoError)
}
