import AuthCrypto
import TestSupport
import Testing

@Suite struct PublicKeyTests {
    /// A public key from a vector JWK's members.
    static func publicKey(jwk: [String: Any]) throws -> PublicKey {
        switch try jwk.string("kty") {
        case "EC":
            let curve = try #require(ECCurve(rawValue: try jwk.string("crv")))
            return try PublicKey(components: .ec(curve: curve, x: base64URL(jwk.string("x")), y: base64URL(jwk.string("y"))))
        case "RSA":
            return try PublicKey(components: .rsa(modulus: base64URL(jwk.string("n")), exponent: base64URL(jwk.string("e"))))
        case "OKP":
            #expect(try jwk.string("crv") == "Ed25519")
            return try PublicKey(components: .ed25519(base64URL(jwk.string("x"))))
        default:
            throw Vectors.Missing(description: "unexpected kty in \(jwk)")
        }
    }

    /// RFC 7515 A.2-A.4, RFC 7520 4.1-4.3 and RFC 8037 A.4 signatures, verified at the primitive level,
    /// and each key's JWK export equal to the RFC's public members.
    @Test func rfcJWSSignaturesVerify() throws {
        let cases = try Vectors.cases("jws_rfc7515_rfc7520.json")
        var verified: [String] = []
        for entry in cases {
            guard let algorithm = SignatureAlgorithm(rawValue: try entry.string("alg")),
                  let jwk = entry["jwk_public"] as? [String: Any], let input = entry["signing_input"] as? String
            else { continue }
            let id = try entry.string("id")
            let key = try Self.publicKey(jwk: jwk)
            let signature = try base64URL(entry.string("signature_b64u"))
            #expect(try key.verify(signature, for: Array(input.utf8), algorithm: algorithm), "\(id)")
            var tampered = signature
            tampered[tampered.count / 2] ^= 1
            #expect(try !key.verify(tampered, for: Array(input.utf8), algorithm: algorithm), "\(id) tampered")
            for (name, value) in key.jwk {
                #expect(jwk[name] as? String == value, "\(id) JWK member \(name)")
            }
            verified.append(id)
        }
        #expect(Set(verified) == [
            "rfc7515-A.2-RS256", "rfc7515-A.3-ES256", "rfc7515-A.4-ES512", "rfc8037-A.4-EdDSA-Ed25519",
            "rfc7520-4.1-RS256", "rfc7520-4.2-PS384", "rfc7520-4.3-ES512",
        ])
    }

    /// Wycheproof JWS cases for RSA (RS256/384/512, PS256/384/512) and ES256 keys, at the primitive level:
    /// whatever the header says, the signature over the signing input must verify exactly when the case is
    /// labelled valid. Cases that are about JOSE framing (not three segments, header algorithm different
    /// from the key's, no `alg` on the key, upstream anomalies) belong to the JOSE tests and are skipped here.
    @Test func wycheproofSignaturesAtPrimitiveLevel() throws {
        let cases = try Vectors.cases("wycheproof_jws.json")
        var checked: [SignatureAlgorithm: Int] = [:]
        for entry in cases where entry["upstream_anomaly"] == nil {
            let jwk = try entry.object("verification_key_jwk")
            guard let algorithmName = jwk["alg"] as? String, let algorithm = SignatureAlgorithm(rawValue: algorithmName) else { continue }
            let segments = try entry.string("jws").split(separator: ".", omittingEmptySubsequences: false)
            guard segments.count == 3, let headerBytes = Encoding.fromBase64URL(segments[0]),
                  String(decoding: headerBytes, as: UTF8.self).contains("\"alg\":\"\(algorithmName)\"")
            else { continue }
            let tcId = try entry.int("tcId")
            let expected = try entry.string("result") == "valid"
            let key = try Self.publicKey(jwk: jwk)
            let input = Array("\(segments[0]).\(segments[1])".utf8)
            let verdict: Bool
            if let signature = Encoding.fromBase64URL(segments[2]) {
                verdict = try key.verify(signature, for: input, algorithm: algorithm)
            } else {
                verdict = false
            }
            #expect(verdict == expected, "tcId \(tcId) \(entry["comment"] ?? "")")
            checked[algorithm, default: 0] += 1
        }
        #expect(checked[.rs256, default: 0] > 200)
        for algorithm in [SignatureAlgorithm.rs384, .rs512, .ps256, .ps384, .ps512, .es256] {
            #expect(checked[algorithm, default: 0] >= 4, "\(algorithm) cases checked")
        }
    }

    @Test func crossImplementationES384RS1PS256() throws {
        let message = CrossImplementationFixtures.message
        let p384 = try PublicKey(spkiDER: base64(CrossImplementationFixtures.p384SPKI))
        #expect(p384.curve == .p384)
        let der = try #require(Encoding.fromHex(CrossImplementationFixtures.es384DER))
        let raw = try #require(Encoding.fromHex(CrossImplementationFixtures.es384Raw))
        #expect(try p384.verify(der, for: message, algorithm: .es384, ecdsaEncoding: .der))
        #expect(try p384.verify(raw, for: message, algorithm: .es384))
        #expect(try !p384.verify(raw, for: message + [0], algorithm: .es384))
        #expect(throws: CryptoError.self) { try p384.verify(raw, for: message, algorithm: .es256) }

        let rsa = try PublicKey(spkiDER: base64(CrossImplementationFixtures.rsaSPKI))
        let rs1 = try base64(CrossImplementationFixtures.rs1Signature)
        let ps256 = try base64(CrossImplementationFixtures.ps256Signature)
        #expect(try rsa.verify(rs1, for: message, algorithm: .rs1))
        #expect(try !rsa.verify(rs1, for: message, algorithm: .rs256))
        #expect(try rsa.verify(ps256, for: message, algorithm: .ps256))
        #expect(try !rsa.verify(ps256, for: message, algorithm: .ps384))
        #expect(try !rsa.verify(ps256, for: message, algorithm: .rs256))
        #expect(try !rsa.verify(rs1, for: Array(message.dropLast()), algorithm: .rs1))
    }

    @Test func rsaBelow2048BitsIsRejectedOnEveryImportPath() throws {
        let spki = try base64(CrossImplementationFixtures.rsa1024SPKI)
        do {
            _ = try PublicKey(spkiDER: spki)
            Issue.record("RSA-1024 SPKI imported")
        } catch {
            #expect(error.kind == .invalidKey)
        }
        var modulus = SecureRandom.bytes(128)
        modulus[0] |= 0x80
        modulus[127] |= 1
        #expect(throws: CryptoError.self) { try PublicKey(components: .rsa(modulus: modulus, exponent: [1, 0, 1])) }
        var modulus2047 = SecureRandom.bytes(256)
        modulus2047[0] = 0x7F
        modulus2047[255] |= 1
        #expect(throws: CryptoError.self) { try PublicKey(components: .rsa(modulus: modulus2047, exponent: [1, 0, 1])) }
    }

    @Test func malformedKeysAreRejected() throws {
        let good = try SigningKey.generate(.es256).publicKey
        guard case let .ec(curve, x, y) = good.components else { Issue.record("not EC"); return }
        var offCurve = y
        offCurve[31] ^= 1
        let attempts: [(String, PublicKey.Components)] = [
            ("off-curve point", .ec(curve: curve, x: x, y: offCurve)),
            ("short x", .ec(curve: curve, x: Array(x.dropFirst()), y: y)),
            ("P-256 point labelled P-384", .ec(curve: .p384, x: x + [UInt8](repeating: 0, count: 16), y: y + [UInt8](repeating: 0, count: 16))),
            ("all-zero point", .ec(curve: .p256, x: [UInt8](repeating: 0, count: 32), y: [UInt8](repeating: 0, count: 32))),
            ("Ed25519 of 31 bytes", .ed25519([UInt8](repeating: 7, count: 31))),
            ("RSA even exponent", .rsa(modulus: [0xC0] + SecureRandom.bytes(254) + [0x01], exponent: [2])),
            ("RSA exponent 1", .rsa(modulus: [0xC0] + SecureRandom.bytes(254) + [0x01], exponent: [1])),
            ("RSA even modulus", .rsa(modulus: [0xC0] + SecureRandom.bytes(254) + [0x02], exponent: [1, 0, 1])),
            ("RSA empty modulus", .rsa(modulus: [], exponent: [1, 0, 1])),
        ]
        for (name, components) in attempts {
            do {
                _ = try PublicKey(components: components)
                Issue.record("accepted \(name)")
            } catch {
                #expect(error.kind == .invalidKey, "\(name): \(error)")
            }
        }
        let spki = good.spkiDER
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: spki + [0]) }
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: Array(spki.dropLast())) }
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: []) }
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: SecureRandom.bytes(91)) }
        #expect(throws: CryptoError.self) { try PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
    }
}
