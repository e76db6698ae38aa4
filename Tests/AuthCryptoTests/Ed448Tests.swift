import AuthCrypto
import Testing

/// Ed448 verification (RFC 8032 §5.2, pure Ed448 with an empty context).
///
/// `../shared/vectors` has no Ed448 vector outside the WebAuthn ceremonies, so these are RFC 8032 §7.4's "Blank"
/// and "1 octet" test vectors, typed in from the RFC text (public key, message, signature; the secret keys are not
/// needed to verify). Both public keys were also re-derived from the RFC's secret keys, and the "1 octet"
/// signature re-made, with the OpenSSL 3.0 command-line tool.
@Suite struct Ed448Tests {
    struct RFCVector: Sendable {
        let name: String
        let publicKeyHex: String
        let messageHex: String
        let signatureHex: String
    }

    static let rfc8032Section7_4: [RFCVector] = [
        RFCVector(
            name: "-----Blank",
            publicKeyHex: "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
            messageHex: "",
            signatureHex: "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980"
                + "ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600"),
        RFCVector(
            name: "-----1 octet",
            publicKeyHex: "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480",
            messageHex: "03",
            signatureHex: "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0"
                + "dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00"),
    ]

    @Test("RFC 8032 §7.4 signatures verify; tampered signatures, other messages and other keys do not",
          arguments: rfc8032Section7_4)
    func rfcVectors(_ vector: RFCVector) throws {
        let raw = try hexBytes(vector.publicKeyHex)
        let message = try hexBytes(vector.messageHex)
        let signature = try hexBytes(vector.signatureHex)
        #expect(raw.count == 57 && signature.count == 114)
        let key = try PublicKey(components: .ed448(raw))
        #expect(key.keyType == .ed448 && key.curve == nil && key.supports(.ed448) && !key.supports(.eddsa))
        #expect(try key.verify(signature, for: message, algorithm: .ed448), "\(vector.name)")
        for index in [0, 56, 57, 113] {
            var tampered = signature
            tampered[index] ^= 0x01
            #expect(try !key.verify(tampered, for: message, algorithm: .ed448), "\(vector.name) byte \(index)")
        }
        #expect(try !key.verify(signature, for: message + [0], algorithm: .ed448))
        #expect(try !key.verify(Array(signature.dropLast()), for: message, algorithm: .ed448))
        #expect(try !key.verify([], for: message, algorithm: .ed448))
        let other = try #require(Self.rfc8032Section7_4.first { $0.name != vector.name })
        let otherKey = try PublicKey(components: .ed448(hexBytes(other.publicKeyHex)))
        #expect(try !otherKey.verify(signature, for: message, algorithm: .ed448))
        // An Ed448 key is refused for Ed25519 (EdDSA) and ECDSA schemes, not silently used.
        #expect(throws: CryptoError.self) { try key.verify(signature, for: message, algorithm: .eddsa) }
        #expect(throws: CryptoError.self) { try key.verify(signature, for: message, algorithm: .es256) }
    }

    @Test("Ed448 keys round-trip through components, SPKI, PEM and JWK")
    func encodings() throws {
        let vector = Self.rfc8032Section7_4[0]
        let raw = try hexBytes(vector.publicKeyHex)
        let key = try PublicKey(components: .ed448(raw))
        #expect(key.components == .ed448(raw))
        // SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID 1.3.101.113 }, BIT STRING (57 bytes) } (RFC 8410).
        #expect(key.spkiDER == [0x30, 0x43, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x71, 0x03, 0x3A, 0x00] + raw)
        #expect(try PublicKey(spkiDER: key.spkiDER) == key)
        #expect(try PublicKey(pem: key.pem) == key)
        #expect(key.jwk == ["kty": "OKP", "crv": "Ed448", "x": Encoding.base64URL(raw)])
        #expect(key.bitCount == 456 && key.description == "PublicKey(Ed448)")
        #expect(key != (try PublicKey(components: .ed448(hexBytes(Self.rfc8032Section7_4[1].publicKeyHex)))))
    }

    @Test("Ed448 keys of the wrong length are refused")
    func wrongLength() throws {
        for count in [0, 32, 56, 58, 114] {
            #expect(throws: CryptoError.self, "\(count) bytes") { try PublicKey(components: .ed448([UInt8](repeating: 0x11, count: count))) }
        }
    }

    @Test("the linked OpenSSL provides Ed448 and says no to unknown key types")
    func libraryCapabilities() {
        #expect(CryptoLibrary.openSSLVersion.hasPrefix("OpenSSL 3."))
        #expect(CryptoLibrary.providesKeyType("ED448"))
        #expect(CryptoLibrary.providesKeyType("ED25519"))
        #expect(!CryptoLibrary.providesKeyType("NO-SUCH-KEY-TYPE"))
    }
}
