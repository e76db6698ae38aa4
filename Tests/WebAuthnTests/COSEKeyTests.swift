import AuthCrypto
import CBOR
import Testing
import WebAuthn

@Suite("COSE keys")
struct COSEKeyTests {
    let p256 = try! SigningKey.generate(.es256).publicKey

    var ecCoordinates: (x: [UInt8], y: [UInt8]) {
        guard case let .ec(_, x, y) = p256.components else { return ([], []) }
        return (x, y)
    }

    @Test("EC2 P-256 converts to the same public key")
    func ec2() throws {
        let (x, y) = ecCoordinates
        let key = try COSEKey(cbor: [1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)])
        #expect(key.algorithm == .es256 && key.publicKey == p256 && key.spkiDER == p256.spkiDER)
    }

    @Test("mismatches and malformed keys are refused")
    func rejections() throws {
        let (x, y) = ecCoordinates
        let cases: [(CBORValue, WebAuthnError)] = [
            ([1: 2, -1: 1, -2: .byteString(x), -3: .byteString(y)], .invalidPublicKey("COSE key has no integer alg (3)")),
            ([3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)], .invalidPublicKey("COSE key has no integer kty (1)")),
            ([1: 3, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)], .invalidPublicKey("COSE kty 3 does not fit alg -7")),
            ([1: 2, 3: -8, -1: 1, -2: .byteString(x), -3: .byteString(y)], .invalidPublicKey("COSE kty 2 does not fit alg -8")),
            ([1: 2, 3: -7, -1: 2, -2: .byteString(x), -3: .byteString(y)], .invalidPublicKey("COSE EC2 crv 2 does not fit alg -7")),
            ([1: 2, 3: -35, -1: 1, -2: .byteString(x), -3: .byteString(y)], .invalidPublicKey("COSE EC2 crv 1 does not fit alg -35")),
            ([1: 2, 3: -7, -1: 1, -2: .byteString(Array(x.dropFirst())), -3: .byteString(y)],
             .invalidPublicKey("COSE EC2 coordinates must be 32 bytes each")),
            ([1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: true], .invalidPublicKey("COSE EC2 key needs byte-string x (-2) and y (-3)")),
            ([1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y), -4: .byteString(x)],
             .invalidPublicKey("COSE EC2 key carries a private key (d)")),
            ([1: 1, 3: -8, -1: 7, -2: .byteString([UInt8](repeating: 1, count: 57))], .unsupportedAlgorithm(-8)),
            ([1: 1, 3: -53, -1: 6, -2: .byteString([UInt8](repeating: 1, count: 57))],
             .invalidPublicKey("COSE OKP crv 6 does not fit alg -53 (Ed448 is crv 7)")),
            ([1: 1, 3: -53, -1: 7, -2: .byteString([UInt8](repeating: 1, count: 56))], .invalidPublicKey("COSE Ed448 key needs a 57-byte x (-2)")),
            ([1: 1, 3: -53, -1: 7, -2: .byteString([UInt8](repeating: 1, count: 57)), -4: .byteString([1])],
             .invalidPublicKey("COSE OKP key carries a private key (d)")),
            ([1: 2, 3: -53, -1: 7, -2: .byteString([UInt8](repeating: 1, count: 57))], .invalidPublicKey("COSE kty 2 does not fit alg -53")),
            ([1: 1, 3: -8, -1: 6, -2: .byteString([UInt8](repeating: 1, count: 31))], .invalidPublicKey("COSE Ed25519 key needs a 32-byte x (-2)")),
            ([1: 3, 3: -257, -1: .byteString([UInt8](repeating: 0xC3, count: 128)), -2: .byteString([1, 0, 1])],
             .invalidPublicKey("RSA key of 1024 bits is outside 2048...16384")),
            ([1: 7, 3: -48, -1: .byteString([1, 2, 3])], .unsupportedAlgorithm(-48)),
            ([1: 3, 3: -65535, -1: .byteString([UInt8](repeating: 0xC3, count: 128)), -2: .byteString([1, 0, 1])],
             .invalidPublicKey("RSA key of 1024 bits is outside 2048...16384")),
            ([1: 3, 3: -65535, -1: .byteString([UInt8](repeating: 0xC3, count: 256)), -2: .byteString([1, 0, 1]), -3: .byteString([1])],
             .invalidPublicKey("COSE RSA key carries private parameters")),
            (.array([1, 2]), .invalidPublicKey("COSE key is not a CBOR map")),
        ]
        for (value, expected) in cases {
            #expect(throws: expected, "\(value)") { try COSEKey(cbor: value) }
        }
        // A point not on the curve.
        var offCurve = y
        offCurve[31] ^= 1
        #expect {
            try COSEKey(cbor: [1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(offCurve)])
        } throws: { error in
            if case .invalidPublicKey = error as? WebAuthnError { return true }
            return false
        }
        // Trailing bytes after the encoded key.
        let encoded = try CBOREncoder().encode([1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)])
        #expect(throws: WebAuthnError.badCBOR("COSE key: trailingBytes(offset: \(encoded.count))")) { try COSEKey(bytes: encoded + [0]) }
    }

    @Test("Ed448 (-53) and RS1 (-65535) keys from the shared vectors parse to the published key material")
    func ed448AndRS1() throws {
        let w3c = try VectorHarness.allCases().first { $0.id == "w3c-packed-ed448-registration" }
        let expected = try #require(w3c?.json["expected"] as? [String: Any])
        let ed448 = try COSEKey(bytes: try #require(Encoding.fromBase64URL(expected["credential_public_key_cose_b64u"] as? String ?? "")))
        let ed448Raw = (expected["credential_public_key"] as? [String: Any])?["x_hex"] as? String
        #expect(ed448.algorithm == .ed448 && ed448.publicKey.keyType == .ed448)
        #expect(ed448.publicKey.components == .ed448(Encoding.fromHex(ed448Raw ?? "") ?? []))

        let tpm = try VectorHarness.allCases().first { $0.id == "simplewebauthn-reg-should_validate_tpm_rsa_response_sha1" }
        let observed = try #require(tpm?.json["observed_in_data"] as? [String: Any])
        let rs1 = try COSEKey(bytes: try #require(Encoding.fromBase64URL(observed["credential_public_key_cose_b64u"] as? String ?? "")))
        let numbers = try #require(observed["credential_public_key"] as? [String: Any])
        #expect(rs1.algorithm == .rs1 && rs1.algorithm.signatureAlgorithm == .rs1 && rs1.algorithm.keyType == 3)
        #expect(rs1.publicKey.components == .rsa(modulus: Encoding.fromHex(numbers["n_hex"] as? String ?? "") ?? [],
                                                exponent: Encoding.fromHex(numbers["e_hex"] as? String ?? "") ?? []))
        #expect(!COSEAlgorithm.defaultAllowed.contains(.rs1))
    }
}
