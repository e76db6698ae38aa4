import JOSE
import TestSupport
import Testing

/// Wycheproof `json_web_signature_test.json` (flattened in `wycheproof_jws.json`) through `JWSVerifier`,
/// with each case's verification JWK imported by `TrustedKey(jwk:)` (so `alg`, `use` and `key_ops` count).
@Suite struct WycheproofJWSTests {
    /// Key algorithms our verifier does not implement. Their cases must all be refused (the key cannot
    /// even be imported), so the ones labelled valid are expected disagreements, not skips.
    static let notSupportedByOurVerifier: Set<String> = ["HS256", "PS256", "PS384", "PS512", "RS384", "RS512"]
    /// Cases the file flags `upstream_anomaly` (its own strict checker disagrees with the upstream label).
    /// We refuse all eight: 346/350 (JWK alg PS256, token PS384) and 347/351 (JWK alg "ES521") because the
    /// key's alg is unsupported; 367/370/372/373 because HS256 is unsupported.
    static let upstreamAnomalies: Set<Int> = [346, 347, 350, 351, 367, 370, 372, 373]

    enum Verdict: Equatable { case accept, reject(JWTError) }

    static func verdict(jws: String, jwk: JSONValue) -> Verdict {
        do {
            let key = try TrustedKey(jwk: jwk)
            _ = try JWSVerifier(keys: [key]).verify(jws)
            return .accept
        } catch {
            return .reject(error)
        }
    }

    @Test func verdictsMatchLabelsForSupportedAlgorithms() throws {
        let cases = try Vectors.cases("wycheproof_jws.json")
        #expect(cases.count == 401)
        var compared = 0, refusedUnsupported = 0
        var validButUnsupported: Set<String> = [], anomaliesSeen: Set<Int> = []
        for entry in cases {
            let tcId = try #require(entry["tcId"] as? Int)
            let jwkObject = try entry.object("verification_key_jwk")
            let keyAlgorithm = jwkObject["alg"] as? String
            let label = try entry.string("result")
            let verdict = Self.verdict(jws: try entry.string("jws"), jwk: try Vectors.jsonValue(jwkObject))
            if entry["upstream_anomaly"] != nil {
                anomaliesSeen.insert(tcId)
                #expect(verdict != .accept, "anomaly tcId \(tcId) is refused")
                continue
            }
            let supported = keyAlgorithm.map { JWSAlgorithm(rawValue: $0) != nil } ?? ["RSA", "EC"].contains(jwkObject["kty"] as? String)
            if supported {
                #expect((verdict == .accept) == (label == "valid"), "tcId \(tcId) \(entry["comment"] ?? ""): \(verdict)")
                compared += 1
            } else {
                let name = try #require(keyAlgorithm)
                #expect(Self.notSupportedByOurVerifier.contains(name), "tcId \(tcId) key alg \(name) is listed")
                #expect(verdict == .reject(.unsupportedAlgorithm(name)), "tcId \(tcId) refused as unsupported")
                if label == "valid" { validButUnsupported.insert(name) }
                refusedUnsupported += 1
            }
        }
        #expect(anomaliesSeen == Self.upstreamAnomalies)
        #expect(validButUnsupported == Self.notSupportedByOurVerifier)
        #expect(compared == 276, "RS256 + ES256 cases, and the four keys without alg")
        #expect(compared + refusedUnsupported + anomaliesSeen.count == 401)
    }

    /// Keys marked for encryption (`use: enc`) or without `verify` in `key_ops`, and keys without `alg`,
    /// are refused at import, so their tokens never verify.
    @Test func keyUsageIsHonoured() throws {
        let cases = try Vectors.cases("wycheproof_jws.json")
        let usage = cases.filter { ($0["group_comment"] as? String).map { ["rsa_encryption", "ec_key_for_encryption"].contains($0) } ?? false }
        #expect(usage.count == 4)
        for entry in usage {
            let jwk = try Vectors.jsonValue(try entry.object("verification_key_jwk"))
            let error = jwtError { () throws(JWTError) in try TrustedKey(jwk: jwk) }
            guard case .invalidKey? = error else {
                Issue.record("tcId \(entry["tcId"] ?? "?") key imported: \(String(describing: error))")
                continue
            }
        }
    }
}
