import AuthCrypto
import Foundation
import Testing

@Suite struct SigningKeyTests {
    static let message = Array("sign me: {\"sub\":\"user-1\"}".utf8)

    @Test(arguments: [SignatureAlgorithm.es256, .eddsa, .rs256])
    func signVerifyAndTamper(_ algorithm: SignatureAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        #expect(key.algorithm == algorithm)
        let publicKey = key.publicKey
        let signature = try key.sign(Self.message)
        switch algorithm {
        case .es256, .eddsa: #expect(signature.count == 64)
        default: #expect(signature.count == 256)
        }
        #expect(try publicKey.verify(signature, for: Self.message, algorithm: algorithm))

        var message = Self.message
        message[0] ^= 1
        #expect(try !publicKey.verify(signature, for: message, algorithm: algorithm))
        #expect(try !publicKey.verify(signature, for: Self.message + [0], algorithm: algorithm))
        for index in [0, signature.count / 2, signature.count - 1] {
            var tampered = signature
            tampered[index] ^= 0x40
            #expect(try !publicKey.verify(tampered, for: Self.message, algorithm: algorithm), "byte \(index)")
        }
        #expect(try !publicKey.verify(Array(signature.dropLast()), for: Self.message, algorithm: algorithm))
        #expect(try !publicKey.verify(signature + [0], for: Self.message, algorithm: algorithm))
        #expect(try !publicKey.verify([0] + signature, for: Self.message, algorithm: algorithm))
        #expect(try !publicKey.verify([], for: Self.message, algorithm: algorithm))

        let other = try SigningKey.generate(algorithm).publicKey
        #expect(try !other.verify(signature, for: Self.message, algorithm: algorithm))
    }

    @Test(arguments: [SignatureAlgorithm.es256, .eddsa, .rs256])
    func pkcs8PEMRoundTrip(_ algorithm: SignatureAlgorithm) throws {
        let key = try SigningKey.generate(algorithm)
        let pem = try key.pkcs8PEM()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let imported = try SigningKey(pkcs8PEM: pem)
        #expect(imported.algorithm == algorithm)
        #expect(imported.publicKey == key.publicKey)
        #expect(try key.publicKey.verify(imported.sign(Self.message), for: Self.message, algorithm: algorithm))
        #expect(try imported.pkcs8PEM() == pem)
    }

    @Test(arguments: [SignatureAlgorithm.es256, .eddsa, .rs256])
    func publicKeyRoundTrips(_ algorithm: SignatureAlgorithm) throws {
        let publicKey = try SigningKey.generate(algorithm).publicKey
        let fromSPKI = try PublicKey(spkiDER: publicKey.spkiDER)
        #expect(fromSPKI == publicKey)
        #expect(fromSPKI.spkiDER == publicKey.spkiDER)
        #expect(try PublicKey(pem: publicKey.pem) == publicKey)
        #expect(try PublicKey(components: publicKey.components) == publicKey)
        let jwk = publicKey.jwk
        switch algorithm {
        case .es256:
            #expect(jwk["kty"] == "EC" && jwk["crv"] == "P-256" && jwk.count == 4)
            #expect(try base64URL(jwk["x"] ?? "").count == 32 && base64URL(jwk["y"] ?? "").count == 32)
        case .eddsa:
            #expect(jwk["kty"] == "OKP" && jwk["crv"] == "Ed25519" && jwk.count == 3)
            #expect(try base64URL(jwk["x"] ?? "").count == 32)
        default:
            #expect(jwk["kty"] == "RSA" && jwk["e"] == "AQAB" && jwk.count == 3)
            #expect(try base64URL(jwk["n"] ?? "").count == 256)
        }
        #expect(publicKey.supports(algorithm))
    }

    @Test func es256DERVariantAndEncodingsAreNotInterchangeable() throws {
        let key = try SigningKey.generate(.es256)
        let publicKey = key.publicKey
        let der = try key.signDER(Self.message)
        #expect(der.first == 0x30)
        #expect(try publicKey.verify(der, for: Self.message, algorithm: .es256, ecdsaEncoding: .der))
        #expect(try !publicKey.verify(der, for: Self.message, algorithm: .es256, ecdsaEncoding: .raw))
        let raw = try key.sign(Self.message)
        #expect(try !publicKey.verify(raw, for: Self.message, algorithm: .es256, ecdsaEncoding: .der))
        #expect(try !publicKey.verify(der + [0], for: Self.message, algorithm: .es256, ecdsaEncoding: .der))
        #expect(throws: CryptoError.self) { try SigningKey.generate(.eddsa).signDER(Self.message) }
    }

    /// ECDSA (r, n - s) is also a valid signature; we do not require low-S, so it verifies.
    @Test func highSIsAccepted() throws {
        let key = try SigningKey.generate(.es256)
        let raw = try key.sign(Self.message)
        let order = try #require(Encoding.fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
        let s = Array(raw[32...])
        var complement = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var digit = Int(order[index]) - Int(s[index]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            complement[index] = UInt8(digit)
        }
        #expect(borrow == 0)
        let flipped = Array(raw[..<32]) + complement
        #expect(flipped != raw)
        #expect(try key.publicKey.verify(flipped, for: Self.message, algorithm: .es256))
    }

    @Test func keyAndAlgorithmMustMatch() throws {
        let ec = try SigningKey.generate(.es256).publicKey
        let ed = try SigningKey.generate(.eddsa).publicKey
        let signature = [UInt8](repeating: 1, count: 64)
        for (key, algorithm) in [(ec, SignatureAlgorithm.rs256), (ec, .eddsa), (ec, .es384), (ed, .es256), (ed, .ps256)] {
            do {
                _ = try key.verify(signature, for: Self.message, algorithm: algorithm)
                Issue.record("\(key) accepted \(algorithm)")
            } catch {
                #expect(error.kind == .invalidKey)
            }
            #expect(!key.supports(algorithm))
        }
    }

    @Test func onlyThreeAlgorithmsGenerate() throws {
        for algorithm in SignatureAlgorithm.allCases where !SigningKey.supportedAlgorithms.contains(algorithm) {
            #expect(throws: CryptoError.self, "\(algorithm)") { try SigningKey.generate(algorithm) }
        }
        #expect(throws: CryptoError.self) { try SigningKey.generate(.rs256, rsaBits: 1024) }
        let rsa3072 = try SigningKey.generate(.rs256, rsaBits: 3072)
        #expect(rsa3072.publicKey.bitCount == 3072)
    }

    @Test func privateKeyImportRejections() throws {
        #expect(throws: CryptoError.self) { try SigningKey(pkcs8PEM: CrossImplementationFixtures.rsa1024PKCS8) }
        #expect(throws: CryptoError.self) { try SigningKey(pkcs8PEM: "") }
        #expect(throws: CryptoError.self) { try SigningKey(pkcs8PEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        // A public key PEM, or a legacy "EC PRIVATE KEY" header, is not PKCS#8.
        let publicPEM = try SigningKey.generate(.es256).publicKey.pem
        #expect(throws: CryptoError.self) { try SigningKey(pkcs8PEM: publicPEM) }
        let pem = try SigningKey.generate(.es256).pkcs8PEM()
        let legacy = pem.replacingOccurrences(of: "PRIVATE KEY", with: "EC PRIVATE KEY")
        #expect(throws: CryptoError.self) { try SigningKey(pkcs8PEM: legacy) }
    }
}
