import AuthCrypto

extension TrustedKey {
    /// Private-key members that must never appear in a JWK given to a verifier.
    private static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// Imports a public JWK (RFC 7517). It must carry `kid` and a supported `alg` matching its `kty`/`crv`;
    /// `use`, if present, must be `sig`, and `key_ops`, if present, must include `verify`. Private members
    /// (`d`, `k`, ...) are refused. Throws `.unsupportedAlgorithm` for other algorithms, else `.invalidKey`.
    public init(jwk: JSONValue) throws(JWTError) {
        guard let members = jwk.objectValue else { throw .invalidKey("JWK is not a JSON object") }
        func string(_ name: String) throws(JWTError) -> String {
            guard let value = members[name]?.stringValue, !value.isEmpty else { throw .invalidKey("JWK member \(name) is missing or not a string") }
            return value
        }
        func bytes(_ name: String) throws(JWTError) -> [UInt8] {
            guard let decoded = Encoding.fromBase64URL(try string(name)), !decoded.isEmpty else {
                throw .invalidKey("JWK member \(name) is not base64url")
            }
            return decoded
        }
        let algorithmName = try string("alg")
        guard let algorithm = JWSAlgorithm(rawValue: algorithmName) else { throw .unsupportedAlgorithm(algorithmName) }
        if let secret = members.keys.first(where: { Self.privateMembers.contains($0) }) {
            throw .invalidKey("JWK carries private member \(secret)")
        }
        if let use = members["use"] {
            guard use == "sig" else { throw .invalidKey("JWK use is not sig") }
        }
        if let operations = members["key_ops"] {
            guard let list = operations.arrayValue, list.allSatisfy({ $0.stringValue != nil }), list.contains("verify") else {
                throw .invalidKey("JWK key_ops does not include verify")
            }
        }
        let components: PublicKey.Components
        switch (try string("kty"), algorithm) {
        case ("EC", .es256):
            guard try string("crv") == ECCurve.p256.rawValue else { throw .invalidKey("ES256 needs crv P-256") }
            components = .ec(curve: .p256, x: try bytes("x"), y: try bytes("y"))
        case ("RSA", .rs256):
            components = .rsa(modulus: try bytes("n"), exponent: try bytes("e"))
        case ("OKP", .eddsa):
            guard try string("crv") == "Ed25519" else { throw .invalidKey("EdDSA needs crv Ed25519") }
            components = .ed25519(try bytes("x"))
        case let (kty, _):
            throw .invalidKey("JWK kty \(kty) does not fit alg \(algorithmName)")
        }
        let publicKey: PublicKey
        do {
            publicKey = try PublicKey(components: components)
        } catch {
            throw .invalidKey("JWK key material: \(error)")
        }
        try self.init(keyID: try string("kid"), algorithm: algorithm, publicKey: publicKey)
    }

    /// Imports a public JWK from its JSON text (parsed strictly: duplicate members are refused).
    public init(jwkJSON: [UInt8]) throws(JWTError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: jwkJSON)
        } catch {
            throw .invalidKey("JWK is not strict JSON: \(error)")
        }
        try self.init(jwk: value)
    }
}
