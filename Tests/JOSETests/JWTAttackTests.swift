import AuthCrypto
import Foundation
import JOSE
import TestSupport
import Testing

/// `jwt_attacks.json`: every reject case is refused (for the reason listed here), every control accepted.
@Suite struct JWTAttackTests {
    /// The exact refusal expected for each reject case that carries a token.
    static let expectedErrors: [String: JWTError] = [
        "alg-none-no-signature": .algorithmNone,
        "alg-none-no-signature-None": .algorithmNone,
        "alg-none-no-signature-NONE": .algorithmNone,
        "alg-none-no-signature-nOnE": .algorithmNone,
        "alg-none-with-signature": .algorithmNone,
        "alg-missing": .missingAlgorithm,
        "hs256-key-confusion-spki-pem": .unsupportedAlgorithm("HS256"),
        "hs256-key-confusion-spki-pem-no-trailing-newline": .unsupportedAlgorithm("HS256"),
        "hs256-key-confusion-pkcs1-pem": .unsupportedAlgorithm("HS256"),
        "hs256-key-confusion-spki-der": .unsupportedAlgorithm("HS256"),
        "hs256-key-confusion-jwk-json": .unsupportedAlgorithm("HS256"),
        "embedded-jwk-attacker-key": .forbiddenHeader("jwk"),
        "embedded-jwk-attacker-rsa-key": .forbiddenHeader("jwk"),
        "jku-attacker-url": .forbiddenHeader("jku"),
        "jku-allowlist-bypass-userinfo": .forbiddenHeader("jku"),
        "x5u-attacker-url": .forbiddenHeader("x5u"),
        "x5c-self-signed-attacker-cert": .forbiddenHeader("x5c"),
        // The kid-injection cases are HS256 tokens for VERIFIER_HS; HS256 is refused before any key lookup.
        "kid-path-traversal-dev-null": .unsupportedAlgorithm("HS256"),
        "kid-path-traversal-absolute": .unsupportedAlgorithm("HS256"),
        "kid-sql-injection": .unsupportedAlgorithm("HS256"),
        "kid-command-injection": .unsupportedAlgorithm("HS256"),
        "kid-unknown": .unsupportedAlgorithm("HS256"),
        "crit-unknown-extension": .criticalHeader,
        "crit-empty-list": .criticalHeader,
        "crit-b64-false-unsupported": .criticalHeader,
        "crit-lists-registered-param": .criticalHeader,
        "exp-expired": .expired,
        "exp-equals-now": .expired,
        "nbf-in-future": .notYetValid,
        "iat-in-future": .issuedInFuture,
        "iss-wrong": .issuerMismatch,
        "iss-prefix-match": .issuerMismatch,
        "iss-missing": .missingClaim("iss"),
        "aud-wrong": .audienceMismatch,
        "aud-array-without-expected": .audienceMismatch,
        "aud-missing": .missingClaim("aud"),
        "exp-missing": .missingClaim("exp"),
        "exp-not-numeric": .invalidClaim("exp"),
        "exp-null": .invalidClaim("exp"),
        "sub-missing": .missingClaim("sub"),
        "signature-empty": .invalidSignature,
        "signature-missing-segment": .wrongSegmentCount(2),
        "signature-from-other-key": .invalidSignature,
        "payload-modified-signature-kept": .invalidSignature,
        "signature-bitflip": .invalidSignature,
        "signature-truncated": .invalidSignature,
        "signature-zero-padded": .invalidSignature,
        "alg-not-allowlisted-rs512": .unsupportedAlgorithm("RS512"),
        "alg-not-allowlisted-ps256": .unsupportedAlgorithm("PS256"),
        "es256-zero-signature": .invalidSignature,
        "es256-der-encoded-signature": .invalidSignature,
        "base64-standard-alphabet": .invalidBase64URL(.signature),
        "base64-padding": .invalidBase64URL(.signature),
        "base64-whitespace": .invalidBase64URL(.payload),
        "base64-newline": .invalidBase64URL(.signature),
        "extra-empty-segment": .wrongSegmentCount(4),
        "extra-segment": .wrongSegmentCount(4),
        "five-segments-jwe-shape": .wrongSegmentCount(5),
        "empty-string": .wrongSegmentCount(1),
        "json-serialization-instead-of-compact": .wrongSegmentCount(1),
        "header-duplicate-alg": .duplicateJSONKey(.header, "alg"),
        "claims-duplicate-sub": .duplicateJSONKey(.payload, "sub"),
        "header-not-object": .notAJSONObject(.header),
        "claims-not-object": .notAJSONObject(.payload),
        "header-invalid-utf8": .invalidJSON(.header),
        "jws-zip-header": .unsupportedAlgorithm("HS256"),
        "typ-mismatch": .unexpectedType("at+jwt"),
    ]
    /// Control cases that must verify.
    static let expectedAccepts: Set<String> = ["baseline-valid-rs256", "aud-array-with-expected"]
    /// Cases handled by dedicated tests below.
    static let specialCases: Set<String> = [
        "pyjwt-ghsa-ffqj-6fqr-9h24-ed25519-ssh", "pyjwt-ghsa-ffqj-6fqr-9h24-ecdsa-ssh",
        "base64-non-canonical-trailing-bits", "issuer-refuses-short-hmac-key", "issuer-refuses-alg-none",
    ]

    struct Setup {
        let verifiers: [String: JWTVerifier]
        let now: [String: Int64]
        let cases: [String: [String: Any]]
    }

    /// Builds one `JWTVerifier` per verifier config. Each config key goes through `TrustedKey(jwk:)`, pinned to
    /// the config's single allowed algorithm; HMAC keys cannot be trusted at all, so VERIFIER_HS trusts nothing.
    static func setup() throws -> Setup {
        let file = try Vectors.load("jwt_attacks.json")
        let configs = try file.object("verifier_configs")
        var verifiers: [String: JWTVerifier] = [:], now: [String: Int64] = [:]
        for (name, value) in configs {
            let config = try #require(value as? [String: Any])
            let allowed = try #require(config["allowed_algs"] as? [String])
            #expect(allowed.count == 1, "\(name) pins one algorithm")
            var keys: [TrustedKey] = []
            for (_, entry) in try config.object("keys") {
                var jwk = try #require((entry as? [String: Any])?["jwk"] as? [String: Any])
                jwk["alg"] = jwk["alg"] ?? allowed[0]
                let value = try Vectors.jsonValue(jwk)
                let imported = jwtError { () throws(JWTError) in try TrustedKey(jwk: value) }
                if allowed[0] == "HS256" {
                    #expect(imported == .unsupportedAlgorithm("HS256"), "HMAC keys are refused")
                } else {
                    keys.append(try TrustedKey(jwk: value))
                }
            }
            #expect(config["clock_skew_leeway_s"] as? Int == 0)
            let policy = JWTValidationPolicy(issuer: try config.string("expected_iss"), audience: try config.string("expected_aud"),
                                             leewaySeconds: 0, requireIssuedAt: true, requiredType: "JWT")
            verifiers[name] = try JWTVerifier(keys: keys, policy: policy)
            now[name] = Int64(try #require(config["now"] as? Int))
        }
        var cases: [String: [String: Any]] = [:]
        for entry in try Vectors.cases("jwt_attacks.json") { cases[try entry.string("id")] = entry }
        return Setup(verifiers: verifiers, now: now, cases: cases)
    }

    @Test func everyCaseIsAccountedFor() throws {
        let setup = try Self.setup()
        #expect(setup.cases.count == 74)
        let accounted = Set(Self.expectedErrors.keys).union(Self.expectedAccepts).union(Self.specialCases)
        #expect(Set(setup.cases.keys) == accounted)
        #expect(Set(Self.expectedErrors.keys).isDisjoint(with: Self.expectedAccepts))
        for id in Self.expectedErrors.keys {
            #expect((setup.cases[id]?["expected"] as? String)?.hasPrefix("reject") == true, "\(id) is a reject case")
        }
        for id in Self.expectedAccepts {
            #expect(setup.cases[id]?["expected"] as? String == "accept", "\(id) is a control")
        }
    }

    @Test func rejectCasesAreRejectedForTheirReason() throws {
        let setup = try Self.setup()
        for (id, expected) in Self.expectedErrors.sorted(by: { $0.key < $1.key }) {
            let entry = try #require(setup.cases[id])
            let config = try entry.string("verifier_config")
            let verifier = try #require(setup.verifiers[config])
            let now = try #require(setup.now[config])
            let token = try entry.string("token")
            #expect(jwtError { () throws(JWTError) in try verifier.verify(token, now: now) } == expected, "\(id)")
        }
    }

    @Test func controlCasesAreAccepted() throws {
        let setup = try Self.setup()
        for id in Self.expectedAccepts.sorted() {
            let entry = try #require(setup.cases[id])
            let config = try entry.string("verifier_config")
            let verifier = try #require(setup.verifiers[config])
            let claims = try verifier.verify(try entry.string("token"), now: try #require(setup.now[config]))
            #expect(claims.subject == "user-123" && claims.issuer == "https://issuer.example.com", "\(id)")
            #expect(claims.audience.contains("https://api.example.com"))
            #expect(claims.key.keyID == "rfc7515-a2" && claims.jwtID == "jti-0001")
        }
    }

    /// Built from the baseline token: the signature's last character gets one of its unused low bits flipped,
    /// which lenient decoders map to the same bytes.
    @Test func nonCanonicalTrailingBitsAreRejected() throws {
        let setup = try Self.setup()
        let baseline = try #require(setup.cases["baseline-valid-rs256"]).string("token")
        var segments = baseline.split(separator: ".").map(String.init)
        #expect(segments[2].utf8.count % 4 == 2)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = try #require(segments[2].last)
        let index = try #require(alphabet.firstIndex(of: last))
        segments[2] = String(segments[2].dropLast()) + String(alphabet[index ^ 0x01])
        let token = segments.joined(separator: ".")
        #expect(token != baseline)
        let verifier = try #require(setup.verifiers["VERIFIER"])
        #expect(jwtError { () throws(JWTError) in try verifier.verify(token, now: 1_700_001_000) } == .invalidBase64URL(.signature))
        #expect(try verifier.verify(baseline, now: 1_700_001_000).subject == "user-123")
    }

    /// PyJWT GHSA-ffqj-6fqr-9h24: an HS256 token MAC'd with the OpenSSH public-key text. We trust the key
    /// for its own algorithm only, so the HS256 token is refused and the control token verifies.
    @Test func pyjwtAdvisoryTokens() throws {
        let setup = try Self.setup()
        for (id, algorithm) in [("pyjwt-ghsa-ffqj-6fqr-9h24-ed25519-ssh", JWSAlgorithm.eddsa), ("pyjwt-ghsa-ffqj-6fqr-9h24-ecdsa-ssh", .es256)] {
            let entry = try #require(setup.cases[id])
            let publicKey = try Self.publicKey(openSSH: try entry.string("verifier_public_key_openssh"))
            let key = try TrustedKey(keyID: "ssh", algorithm: algorithm, publicKey: publicKey)
            let token = try entry.string("token")
            #expect(jwtError { () throws(JWTError) in try JWSVerifier.verify(token, with: key) } == .unsupportedAlgorithm("HS256"), "\(id)")
            let control = try entry.string("control_token_valid")
            #expect(try JWSVerifier.verify(control, with: key).payload == Array("{\"test\":1234}".utf8), "\(id) control")
        }
    }

    /// The issuer-side cases: our signer cannot emit HS256 (with any key length) or `none`, because neither
    /// is a `JWSAlgorithm` and every `SigningKey` algorithm maps to one of ES256, EdDSA, RS256.
    @Test func issuerCannotEmitHMACOrNone() throws {
        let setup = try Self.setup()
        for id in ["issuer-refuses-short-hmac-key", "issuer-refuses-alg-none"] {
            let parameters = try #require(setup.cases[id]).object("parameters")
            #expect(JWSAlgorithm(rawValue: try parameters.string("alg")) == nil, "\(id)")
        }
        #expect(Set(SigningKey.supportedAlgorithms.compactMap(JWSAlgorithm.init)) == Set(JWSAlgorithm.allCases))
    }

    /// Reads an OpenSSH `ssh-ed25519` or `ecdsa-sha2-nistp256` public key line (test-side framing only).
    static func publicKey(openSSH line: String) throws -> PublicKey {
        let parts = line.split(separator: " ")
        let blob = Array(try #require(Data(base64Encoded: String(parts[1]))))
        var fields: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= blob.count {
            let length = blob[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            fields.append(Array(blob[offset + 4..<offset + 4 + length]))
            offset += 4 + length
        }
        #expect(offset == blob.count)
        switch String(decoding: fields[0], as: UTF8.self) {
        case "ssh-ed25519":
            return try PublicKey(components: .ed25519(fields[1]))
        case "ecdsa-sha2-nistp256":
            let point = fields[2]
            #expect(point.count == 65 && point[0] == 0x04)
            return try PublicKey(components: .ec(curve: .p256, x: Array(point[1...32]), y: Array(point[33...64])))
        default:
            throw Vectors.Missing(description: "unexpected OpenSSH key type in \(line)")
        }
    }
}
