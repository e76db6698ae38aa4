import AuthCrypto
import Foundation
import JOSE
import TestSupport
import Testing

/// RFC 7515 App. A and E, RFC 8037 A.4 and RFC 7520 §4 through our JWS verifier.
@Suite struct RFCJWSVectorTests {
    /// Cases whose algorithm our verifier does not implement; each must be refused with
    /// `.unsupportedAlgorithm`, not skipped.
    static let notSupportedByOurVerifier: [String: String] = [
        "rfc7515-A.1-HS256": "HS256",
        "rfc7515-A.4-ES512": "ES512",
        "rfc7520-4.2-PS384": "PS384",
        "rfc7520-4.3-ES512": "ES512",
        "rfc7520-4.4-HS256": "HS256",
        "rfc7520-4.5-HS256": "HS256",
    ]
    /// Cases that must be refused whatever the key.
    static let mustReject: [String: JWTError] = [
        "rfc7515-A.5-none": .algorithmNone,
        "rfc7515-E-crit-unknown": .algorithmNone, // alg none and an unknown crit: refused at alg already
    ]
    /// Supported single-signature cases (compact, or flattened JSON turned into compact here).
    static let mustVerify: Set<String> = [
        "rfc7515-A.2-RS256", "rfc7515-A.3-ES256", "rfc7515-A.7-flattened-json", "rfc8037-A.4-EdDSA-Ed25519", "rfc7520-4.1-RS256",
    ]
    /// The general JSON serialization case: each of its signatures (RS256 and ES256) must verify.
    static let generalJSON = "rfc7515-A.6-general-json"

    static func trustedKey(_ jwk: [String: Any], keyID: String, algorithm: JWSAlgorithm) throws -> TrustedKey {
        var members = jwk
        members["kid"] = members["kid"] ?? keyID
        members["alg"] = algorithm.rawValue
        return try TrustedKey(jwk: Vectors.jsonValue(members))
    }

    static func entries() throws -> [String: [String: Any]] {
        var byID: [String: [String: Any]] = [:]
        for entry in try Vectors.cases("jws_rfc7515_rfc7520.json") { byID[try entry.string("id")] = entry }
        return byID
    }

    @Test func everyCaseIsClassified() throws {
        let ids = Set(try Self.entries().keys)
        let classified = Set(Self.notSupportedByOurVerifier.keys).union(Self.mustReject.keys).union(Self.mustVerify).union([Self.generalJSON])
        #expect(ids == classified)
        #expect(ids.count == 14)
    }

    @Test func supportedCasesVerify() throws {
        let entries = try Self.entries()
        for id in Self.mustVerify.sorted() {
            let entry = try #require(entries[id])
            let algorithm = try #require(JWSAlgorithm(rawValue: try entry.string("alg")), "\(id)")
            let jwk = try entry.object("jwk_public")
            let key = try Self.trustedKey(jwk, keyID: jwk["kid"] as? String ?? id, algorithm: algorithm)
            let compact: String
            if let json = entry["json_serialization"] as? [String: Any] {
                compact = "\(try json.string("protected")).\(try json.string("payload")).\(try json.string("signature"))"
                let text = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
                #expect(jwtError { () throws(JWTError) in try JWSVerifier.verify(text, with: key) } != nil, "\(id): JSON serialization is not compact")
            } else {
                compact = try entry.string("compact")
            }
            let verified = try JWSVerifier.verify(compact, with: key)
            let payloadSegment = compact.split(separator: ".")[1]
            #expect(verified.payload == Encoding.fromBase64URL(payloadSegment), "\(id)")
            #expect(verified.key.keyID == key.keyID)

            // The same token through a kid-selecting verifier: only tokens naming their kid get through.
            let verifier = try JWSVerifier(keys: [key])
            if verified.header["kid"] != nil {
                #expect(try verifier.verify(compact).payload == verified.payload, "\(id)")
            } else {
                #expect(jwtError { () throws(JWTError) in try verifier.verify(compact) } == .missingKeyID, "\(id)")
            }
        }
    }

    @Test func generalJSONSerializationSignaturesVerify() throws {
        let entry = try #require(try Self.entries()[Self.generalJSON])
        let json = try entry.object("json_serialization")
        let keys = try entry.object("keys")
        let signatures = try #require(json["signatures"] as? [[String: Any]])
        #expect(signatures.count == 2)
        for signature in signatures {
            let kid = try signature.object("header").string("kid")
            let protected = try signature.string("protected")
            let header = try JSONValue(parsing: try #require(Encoding.fromBase64URL(protected)))
            let algorithm = try #require(JWSAlgorithm(rawValue: header.objectValue?["alg"]?.stringValue ?? ""))
            let key = try Self.trustedKey(try keys.object(kid).filter { !["d", "p", "q", "dp", "dq", "qi"].contains($0.key) },
                                          keyID: kid, algorithm: algorithm)
            let compact = "\(protected).\(try json.string("payload")).\(try signature.string("signature"))"
            #expect(try JWSVerifier.verify(compact, with: key).payload == Encoding.fromBase64URL(try json.string("payload")))
        }
    }

    @Test func unsupportedAlgorithmsAreRefused() throws {
        let entries = try Self.entries()
        let rsaKey = try Self.trustedKey(try #require(entries["rfc7515-A.2-RS256"]).object("jwk_public"), keyID: "rs", algorithm: .rs256)
        for (id, algorithm) in Self.notSupportedByOurVerifier.sorted(by: { $0.key < $1.key }) {
            let entry = try #require(entries[id])
            #expect(try entry.string("alg") == algorithm)
            #expect(JWSAlgorithm(rawValue: algorithm) == nil, "\(algorithm) is not supported by our verifier")
            let tokens = [try entry.string("compact")] + [entry["compact_detached"] as? String].compactMap { $0 }
            for token in tokens {
                #expect(jwtError { () throws(JWTError) in try JWSVerifier.verify(token, with: rsaKey) } == .unsupportedAlgorithm(algorithm), "\(id)")
                let verifier = try JWSVerifier(keys: [rsaKey])
                #expect(jwtError { () throws(JWTError) in try verifier.verify(token) } == .unsupportedAlgorithm(algorithm), "\(id)")
            }
        }
    }

    @Test func rejectCasesAreRejected() throws {
        let entries = try Self.entries()
        let key = try Self.trustedKey(try #require(entries["rfc7515-A.2-RS256"]).object("jwk_public"), keyID: "rs", algorithm: .rs256)
        for (id, expected) in Self.mustReject {
            let token = try #require(entries[id]).string("compact")
            #expect(jwtError { () throws(JWTError) in try JWSVerifier.verify(token, with: key) } == expected, "\(id)")
        }
    }

    /// The RFC tokens carry JWT claims but no `kid`; our JWT verifier selects keys by `kid` only, so it
    /// refuses them even though the signature is good (no fallback to "the only key").
    @Test func rfcTokensWithoutKidAreRefusedByTheJWTLayer() throws {
        let entry = try #require(try Self.entries()["rfc7515-A.2-RS256"])
        let key = try Self.trustedKey(entry.object("jwk_public"), keyID: "rs", algorithm: .rs256)
        let verifier = try JWTVerifier(keys: [key], policy: .init(issuer: "joe", audience: "api", leewaySeconds: 0))
        let token = try entry.string("compact")
        #expect(jwtError { () throws(JWTError) in try verifier.verify(token, now: 1_300_819_000) } == .missingKeyID)
    }
}
