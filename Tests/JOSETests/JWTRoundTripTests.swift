import AuthCrypto
import JOSE
import TestSupport
import Testing

/// Our own signer and verifier together: round trips, claim boundaries, header policy and configuration.
@Suite struct JWTRoundTripTests {
    static let now: Int64 = 1_800_000_000
    static let policy = JWTValidationPolicy(issuer: "https://auth.example", audience: "api", leewaySeconds: 30)

    static func claims(_ overrides: [String: JSONValue] = [:], removing: [String] = []) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [
            "iss": "https://auth.example", "sub": "user-1", "aud": "api",
            "iat": .number(Double(now)), "exp": .number(Double(now + 600)), "jti": "t-1",
        ]
        for (name, value) in overrides { claims[name] = value }
        for name in removing { claims[name] = nil }
        return claims
    }

    @Test(arguments: [SignatureAlgorithm.es256, .eddsa, .rs256])
    func signAndVerify(_ algorithm: SignatureAlgorithm) throws {
        let signer = try JWSSigner(key: SigningKey.generate(algorithm), keyID: "k-\(algorithm.rawValue)")
        let token = try signer.sign(claims: Self.claims(["roles": ["admin", "ops"], "n": 1.5]))
        let header = try JSONValue(parsing: try #require(Encoding.fromBase64URL(token.split(separator: ".")[0])))
        #expect(header == ["alg": .string(algorithm.rawValue), "kid": .string("k-\(algorithm.rawValue)"), "typ": "JWT"])
        let verifier = try JWTVerifier(keys: [try signer.trustedKey], policy: Self.policy)
        let claims = try verifier.verify(token, now: Self.now)
        #expect(claims.subject == "user-1" && claims.issuer == "https://auth.example" && claims.audience == ["api"])
        #expect(claims.expiresAt == Double(Self.now + 600) && claims.issuedAt == Double(Self.now) && claims.notBefore == nil)
        #expect(claims.jwtID == "t-1" && claims.all["roles"] == ["admin", "ops"] && claims.all["n"] == 1.5)

        // Another key of the same type under the same kid does not verify it.
        let impostor = try JWSSigner(key: SigningKey.generate(algorithm), keyID: signer.keyID)
        let other = try JWTVerifier(keys: [try impostor.trustedKey], policy: Self.policy)
        #expect(jwtError { () throws(JWTError) in try other.verify(token, now: Self.now) } == .invalidSignature)
    }

    @Test func claimBoundariesWithLeeway() throws {
        let signer = try JWSSigner(key: SigningKey.generate(.es256), keyID: "k")
        let verifier = try JWTVerifier(keys: [try signer.trustedKey], policy: Self.policy)
        func verdict(_ claims: [String: JSONValue], at now: Int64 = Self.now) throws -> JWTError? {
            let token = try signer.sign(claims: claims)
            return jwtError { () throws(JWTError) in try verifier.verify(token, now: now) }
        }
        let exp = Self.now + 600
        #expect(try verdict(Self.claims(), at: exp + 29) == nil)
        #expect(try verdict(Self.claims(), at: exp + 30) == .expired)
        #expect(try verdict(Self.claims(["nbf": .number(Double(Self.now + 30))])) == nil)
        #expect(try verdict(Self.claims(["nbf": .number(Double(Self.now + 31))])) == .notYetValid)
        #expect(try verdict(Self.claims(["iat": .number(Double(Self.now + 30))])) == nil)
        #expect(try verdict(Self.claims(["iat": .number(Double(Self.now + 31))])) == .issuedInFuture)
        #expect(try verdict(Self.claims(["exp": .number(Double(exp) + 0.5)]), at: exp + 30) == nil, "fractional NumericDate")
        #expect(try verdict(Self.claims(removing: ["iat"])) == .missingClaim("iat"))
        #expect(try verdict(Self.claims(["iat": "now"])) == .invalidClaim("iat"))
        #expect(try verdict(Self.claims(["nbf": .bool(true)])) == .invalidClaim("nbf"))
        #expect(try verdict(Self.claims(["aud": ["other", "api"]])) == nil)
        #expect(try verdict(Self.claims(["aud": []])) == .invalidClaim("aud"))
        #expect(try verdict(Self.claims(["aud": ["api", 1]])) == .invalidClaim("aud"))
        #expect(try verdict(Self.claims(["aud": "API"])) == .audienceMismatch)
        #expect(try verdict(Self.claims(["iss": "https://auth.example/"])) == .issuerMismatch)
        #expect(try verdict(Self.claims(["sub": ""])) == .invalidClaim("sub"))
        #expect(try verdict(Self.claims(["sub": 42])) == .invalidClaim("sub"))
        #expect(try verdict(Self.claims(["jti": 7])) == .invalidClaim("jti"))

        let noIat = try JWTVerifier(keys: [try signer.trustedKey], policy: .init(issuer: "https://auth.example", audience: "api", requireIssuedAt: false))
        let token = try signer.sign(claims: Self.claims(removing: ["iat"]))
        #expect(try noIat.verify(token, now: Self.now).issuedAt == nil)
    }

    @Test func headerPolicyWithOurOwnKeys() throws {
        let key = try SigningKey.generate(.rs256)
        let trusted = try TrustedKey(keyID: "rsa-1", algorithm: .rs256, publicKey: key.publicKey)
        let ecKey = try SigningKey.generate(.es256)
        let ecTrusted = try TrustedKey(keyID: "ec-1", algorithm: .es256, publicKey: ecKey.publicKey)
        let verifier = try JWTVerifier(keys: [trusted, ecTrusted], policy: Self.policy)
        let claims = String(decoding: try #require(JSONValue.object(Self.claims()).serialized()), as: UTF8.self)
        func verdict(_ header: String, signer: SigningKey? = nil) throws -> JWTError? {
            let token = try forgeToken(header: header, claims: claims, key: signer ?? key)
            return jwtError { () throws(JWTError) in try verifier.verify(token, now: Self.now) }
        }
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1","typ":"JWT"}"#) == nil)
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1","typ":"jwt"}"#) == nil, "typ is case-insensitive")
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1"}"#) == .unexpectedType(nil))
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1","typ":1}"#) == .invalidHeaderField("typ"))
        #expect(try verdict(#"{"alg":"RS256","typ":"JWT"}"#) == .missingKeyID)
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-2","typ":"JWT"}"#) == .unknownKeyID("rsa-2"))
        #expect(try verdict(#"{"alg":"RS256","kid":"RSA-1","typ":"JWT"}"#) == .unknownKeyID("RSA-1"))
        #expect(try verdict(#"{"alg":"RS256","kid":["rsa-1"],"typ":"JWT"}"#) == .invalidHeaderField("kid"))
        #expect(try verdict(#"{"alg":256,"kid":"rsa-1","typ":"JWT"}"#) == .invalidHeaderField("alg"))
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1","typ":"JWT","zip":"DEF"}"#) == .forbiddenHeader("zip"))
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1","typ":"JWT","b64":false}"#) == .forbiddenHeader("b64"))
        #expect(try verdict(#"{"alg":"RS256","kid":"rsa-1","typ":"JWT","crit":["exp"],"exp":1}"#) == .criticalHeader)
        // An ES256 token naming the RSA key's kid, and an RS256 token naming the EC key's kid.
        #expect(try verdict(#"{"alg":"ES256","kid":"rsa-1","typ":"JWT"}"#, signer: ecKey) == .algorithmMismatch(expected: .rs256, actual: "ES256"))
        #expect(try verdict(#"{"alg":"RS256","kid":"ec-1","typ":"JWT"}"#) == .algorithmMismatch(expected: .es256, actual: "RS256"))
        #expect(try verdict(#"{"alg":"ES256","kid":"ec-1","typ":"JWT"}"#, signer: ecKey) == nil)
    }

    @Test func tokenLengthIsCapped() throws {
        let signer = try JWSSigner(key: SigningKey.generate(.eddsa), keyID: "k")
        let verifier = try JWTVerifier(keys: [try signer.trustedKey], policy: Self.policy)
        let token = try signer.sign(claims: Self.claims(["pad": .string(String(repeating: "x", count: 9000))]))
        #expect(jwtError { () throws(JWTError) in try verifier.verify(token, now: Self.now) } == .tokenTooLarge(limit: 8192))
    }

    @Test func nonASCIIAndWhitespaceAreRejected() throws {
        let signer = try JWSSigner(key: SigningKey.generate(.eddsa), keyID: "k")
        let verifier = try JWTVerifier(keys: [try signer.trustedKey], policy: Self.policy)
        let token = try signer.sign(claims: Self.claims())
        let parts = token.split(separator: ".").map(String.init)
        let variants: [(String, JWTError)] = [
            (parts[0] + ".\u{301}" + parts[1] + "." + parts[2], .invalidBase64URL(.payload)),
            (" " + token, .invalidBase64URL(.header)),
            (token + "\n", .invalidBase64URL(.signature)),
            (parts[0] + "." + parts[1] + "." + parts[2] + "=", .invalidBase64URL(.signature)),
            (parts[0] + "=." + parts[1] + "." + parts[2], .invalidBase64URL(.header)),
        ]
        for (variant, expected) in variants {
            #expect(jwtError { () throws(JWTError) in try verifier.verify(variant, now: Self.now) } == expected, "\(variant.debugDescription.prefix(30))")
        }
        #expect(try verifier.verify(token, now: Self.now).subject == "user-1")
    }

    @Test func configurationErrors() throws {
        let key = try TrustedKey(keyID: "k", algorithm: .eddsa, publicKey: SigningKey.generate(.eddsa).publicKey)
        #expect(jwtError { () throws(JWTError) in try JWTVerifier(keys: [key, key], policy: Self.policy) } == .invalidConfiguration("duplicate kid k"))
        var wide = Self.policy
        wide.leewaySeconds = 301
        #expect(jwtError { () throws(JWTError) in try JWTVerifier(keys: [key], policy: wide) } != nil)
        wide.leewaySeconds = -1
        #expect(jwtError { () throws(JWTError) in try JWTVerifier(keys: [key], policy: wide) } != nil)
        let rsaPublic = try SigningKey.generate(.rs256).publicKey
        #expect(jwtError { () throws(JWTError) in try TrustedKey(keyID: "k", algorithm: .es256, publicKey: rsaPublic) } != nil)
        #expect(jwtError { () throws(JWTError) in try TrustedKey(keyID: "", algorithm: .rs256, publicKey: rsaPublic) } != nil)
        let signer = try JWSSigner(key: SigningKey.generate(.es256), keyID: "k")
        #expect(jwtError { () throws(JWTError) in try signer.sign(claims: ["exp": .number(.nan)]) } == .unserializableClaims)
    }

    @Test func jwksExportImportAndVerify() throws {
        let signers = try [SignatureAlgorithm.es256, .eddsa, .rs256].map { try JWSSigner(key: SigningKey.generate($0), keyID: "key-\($0.rawValue)") }
        let jwks = JWKS(keys: try signers.map { try $0.trustedKey })
        let json = jwks.json
        let parsed = try JSONValue(parsing: Array(json.utf8))
        let published = try #require(parsed.objectValue?["keys"]?.arrayValue)
        #expect(published.count == 3)
        for jwk in published {
            let members = try #require(jwk.objectValue)
            #expect(members["use"] == "sig")
            #expect(members["d"] == nil)
            #expect(Set(members.keys).isSubset(of: ["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"]))
        }
        let first = try #require(published.first?.objectValue)
        #expect(first == ["kty": "EC", "crv": "P-256", "kid": "key-ES256", "alg": "ES256", "use": "sig",
                          "x": first["x"] ?? .null, "y": first["y"] ?? .null])
        let imported = try JWKS(json: Array(json.utf8))
        let verifier = try JWTVerifier(keys: imported.keys, policy: Self.policy)
        for signer in signers {
            #expect(try verifier.verify(signer.sign(claims: Self.claims()), now: Self.now).key.keyID == signer.keyID)
        }
        #expect(jwtError { () throws(JWTError) in try JWKS(json: Array("{\"keys\":[],\"keys\":[]}".utf8)) } != nil)
    }

    @Test func jwkImportRejections() throws {
        let ec = try SigningKey.generate(.es256).publicKey.jwk
        var base: [String: JSONValue] = ec.mapValues { .string($0) }
        base["kid"] = "k"
        base["alg"] = "ES256"
        #expect(throws: Never.self) { try TrustedKey(jwk: .object(base)) }
        let p384x = Encoding.base64URL(SecureRandom.bytes(48))
        let attempts: [(String, [String: JSONValue], JWTError?)] = [
            ("private d", base.merging(["d": "AAAA"]) { $1 }, .invalidKey("JWK carries private member d")),
            ("use enc", base.merging(["use": "enc"]) { $1 }, .invalidKey("JWK use is not sig")),
            ("key_ops sign only", base.merging(["key_ops": ["sign"]]) { $1 }, .invalidKey("JWK key_ops does not include verify")),
            ("alg HS256", base.merging(["alg": "HS256"]) { $1 }, .unsupportedAlgorithm("HS256")),
            ("alg none", base.merging(["alg": "none"]) { $1 }, .unsupportedAlgorithm("none")),
            ("no alg", base.filter { $0.key != "alg" }, nil),
            ("no kid", base.filter { $0.key != "kid" }, nil),
            ("kty RSA for ES256", base.merging(["kty": "RSA"]) { $1 }, nil),
            ("crv P-384", base.merging(["crv": "P-384", "x": .string(p384x), "y": .string(p384x)]) { $1 }, nil),
            ("x padded", base.merging(["x": .string((base["x"]?.stringValue ?? "") + "=")]) { $1 }, nil),
            ("alg EdDSA on EC", base.merging(["alg": "EdDSA"]) { $1 }, nil),
        ]
        for (name, jwk, expected) in attempts {
            let error = jwtError { () throws(JWTError) in try TrustedKey(jwk: .object(jwk)) }
            #expect(error != nil, "\(name) accepted")
            if let expected { #expect(error == expected, "\(name)") }
        }
        #expect(jwtError { () throws(JWTError) in try TrustedKey(jwkJSON: Array(#"{"kty":"EC","kty":"EC"}"#.utf8)) } != nil)
    }
}
