import AuthCrypto
import JOSE
import TestSupport
import Testing

/// A third party's JWKS (`JWKS(providerJSON:allowedAlgorithms:)`): only signing keys for allowed algorithms are kept,
/// a key without `alg` is pinned by its type, and a token without `kid` verifies only with ``JWTVerifier/verify(_:now:onlyKey:)``.
@Suite struct ProviderJWKSTests {
    static let now: Int64 = 1_800_000_000
    static let policy = JWTValidationPolicy(issuer: "https://id.example", audience: "client", leewaySeconds: 60, requiredType: nil)

    static func jwk(_ signer: JWSSigner, dropping: [String] = [], adding: [String: JSONValue] = [:]) throws -> JSONValue {
        var members = try #require(try signer.trustedKey.jwk.objectValue)
        for name in dropping { members[name] = nil }
        for (name, value) in adding { members[name] = value }
        return .object(members)
    }

    static func set(_ keys: [JSONValue]) -> [UInt8] {
        JSONValue.object(["keys": .array(keys)]).serialized() ?? []
    }

    @Test func keepsOnlyUsableSigningKeys() throws {
        let rsa = try JWSSigner(key: SigningKey.generate(.rs256), keyID: "rsa")
        let ec = try JWSSigner(key: SigningKey.generate(.es256), keyID: "ec")
        let encryption = try JWSSigner(key: SigningKey.generate(.rs256), keyID: "enc")
        let noKid = try JWSSigner(key: SigningKey.generate(.rs256), keyID: "x")
        let json = Self.set([
            try Self.jwk(rsa, dropping: ["alg"]),
            try Self.jwk(ec),
            try Self.jwk(encryption, adding: ["use": "enc"]),
            try Self.jwk(noKid, dropping: ["kid"]),
            ["kty": "oct", "kid": "hmac", "alg": "HS256", "k": "c2VjcmV0"],
        ])
        let onlyRSA = try JWKS(providerJSON: json, allowedAlgorithms: [.rs256])
        #expect(onlyRSA.keys.map(\.keyID) == ["rsa"])
        #expect(onlyRSA.keys.first?.algorithm == .rs256)
        let both = try JWKS(providerJSON: json, allowedAlgorithms: [.rs256, .es256])
        #expect(both.keys.map(\.keyID) == ["rsa", "ec"])
        #expect(try JWKS(providerJSON: json, allowedAlgorithms: []).keys.isEmpty)
    }

    @Test func tokenWithoutKidVerifiesOnlyWithTheGivenKey() throws {
        let key = try SigningKey.generate(.rs256)
        let signer = try JWSSigner(key: key, keyID: "only")
        let claims: JSONValue = [
            "iss": "https://id.example", "sub": "u", "aud": "client", "iat": .number(Double(Self.now)), "exp": .number(Double(Self.now + 60)),
        ]
        let header: JSONValue = ["alg": "RS256", "typ": "JWT"]
        let input = Encoding.base64URL(try #require(header.serialized())) + "." + Encoding.base64URL(try #require(claims.serialized()))
        let token = input + "." + Encoding.base64URL(try key.sign(Array(input.utf8)))
        let verifier = try JWTVerifier(keys: [try signer.trustedKey], policy: Self.policy)
        #expect(jwtError { () throws(JWTError) in try verifier.verify(token, now: Self.now) } == .missingKeyID)
        #expect(try verifier.verify(token, now: Self.now, onlyKey: try signer.trustedKey).subject == "u")
        let other = try JWSSigner(key: SigningKey.generate(.rs256), keyID: "other")
        #expect(jwtError { () throws(JWTError) in try verifier.verify(token, now: Self.now, onlyKey: try other.trustedKey) } == .invalidSignature)
    }
}
