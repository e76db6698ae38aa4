import AuthCrypto

/// Issues compact JWS tokens over JSON claims with one signing key. The header is
/// `{"alg":...,"kid":...,"typ":"JWT"}`; header and claims are serialized compactly with sorted members.
public struct JWSSigner: Sendable {
    /// The signing key.
    public let key: SigningKey
    /// The `kid` written into every header.
    public let keyID: String
    /// The algorithm, from the key.
    public let algorithm: JWSAlgorithm

    /// A signer for `key` under `keyID`. Throws `.invalidKey` for an empty id.
    public init(key: SigningKey, keyID: String) throws(JWTError) {
        guard !keyID.isEmpty else { throw .invalidKey("key id is empty") }
        guard let algorithm = JWSAlgorithm(key.algorithm) else { throw .unsupportedAlgorithm(key.algorithm.rawValue) }
        self.key = key
        self.keyID = keyID
        self.algorithm = algorithm
    }

    /// The verification key matching this signer, for a `JWTVerifier` or a JWKS.
    public var trustedKey: TrustedKey {
        get throws(JWTError) { try TrustedKey(keyID: keyID, algorithm: algorithm, publicKey: key.publicKey) }
    }

    /// Signs `claims` and returns `header.payload.signature`. Throws `.unserializableClaims` for non-finite
    /// numbers and `.signingFailed` if the cryptographic layer fails.
    public func sign(claims: [String: JSONValue]) throws(JWTError) -> String {
        let header: JSONValue = ["alg": .string(algorithm.rawValue), "kid": .string(keyID), "typ": "JWT"]
        guard let headerBytes = header.serialized(), let claimBytes = JSONValue.object(claims).serialized() else {
            throw .unserializableClaims
        }
        let signingInput = Encoding.base64URL(headerBytes) + "." + Encoding.base64URL(claimBytes)
        let signature: [UInt8]
        do {
            signature = try key.sign(Array(signingInput.utf8))
        } catch {
            throw .signingFailed(error)
        }
        return signingInput + "." + Encoding.base64URL(signature)
    }
}
