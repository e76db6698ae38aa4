import AuthCrypto

/// A public key the verifier trusts, bound to exactly one algorithm and one key id. The algorithm comes
/// from here, never from a token: a token whose `alg` differs is refused.
public struct TrustedKey: Sendable {
    /// The key id tokens must name in `kid`.
    public let keyID: String
    /// The one algorithm this key verifies.
    public let algorithm: JWSAlgorithm
    /// The public key.
    public let publicKey: PublicKey

    /// Binds `publicKey` to `algorithm` under `keyID`. Throws `.invalidKey` if the key does not fit the
    /// algorithm (an RSA key for ES256, a P-384 key for ES256) or the id is empty.
    public init(keyID: String, algorithm: JWSAlgorithm, publicKey: PublicKey) throws(JWTError) {
        guard !keyID.isEmpty else { throw .invalidKey("key id is empty") }
        guard publicKey.supports(algorithm.signatureAlgorithm) else {
            throw .invalidKey("\(publicKey) cannot verify \(algorithm.rawValue)")
        }
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicKey = publicKey
    }

    /// The public JWK for publication: the key's members plus `kid`, `alg` and `use: "sig"`.
    public var jwk: JSONValue {
        var members = publicKey.jwk.mapValues { JSONValue.string($0) }
        members["kid"] = .string(keyID)
        members["alg"] = .string(algorithm.rawValue)
        members["use"] = "sig"
        return .object(members)
    }
}
