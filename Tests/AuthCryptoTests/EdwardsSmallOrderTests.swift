import AuthCrypto
import TestSupport
import Testing

/// Small-order and non-canonical EdDSA public keys are refused at import (components, SPKI, PEM).
///
/// Sources of the lists: the 8 small-order Ed25519 points (canonical encodings) and their non-canonical encodings
/// are the ones of Chalkias, Garillot, Nikolaenko, "Taming the many EdDSAs" (SSR 2020, §3 and the test vectors of
/// novifinancial/ed25519-speccheck) and of libsodium's small-order blocklist (`crypto_core/ed25519/ref10`,
/// `ge25519_has_small_order`, which lists the y-coordinates). The list below was re-derived for this test with a
/// few lines of Python (the torsion points [L]P of random points P, with their orders 1, 2, 4, 4, 8, 8, 8, 8).
/// Ed448 has cofactor 4: identity, (0, −1) of order 2 and (±1, 0) of order 4 (RFC 8032 §5.2, the curve equation).
@Suite struct EdwardsSmallOrderTests {
    /// The 8 small-order points of Ed25519, canonical encodings (little-endian y, x-sign in the top bit).
    static let ed25519SmallOrder: [(String, String)] = [
        ("identity, order 1", "0100000000000000000000000000000000000000000000000000000000000000"),
        ("(0, -1), order 2", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("(sqrt(-1), 0), order 4", "0000000000000000000000000000000000000000000000000000000000000000"),
        ("(-sqrt(-1), 0), order 4", "0000000000000000000000000000000000000000000000000000000000000080"),
        ("order 8 (a)", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        ("order 8 (a, -x)", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
        ("order 8 (b)", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        ("order 8 (b, -x)", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
    ]

    /// Non-canonical encodings of small-order Ed25519 points: "-0" x-signs on the x = 0 points, and y = p, p + 1
    /// (≡ 0, 1) with either sign.
    static let ed25519NonCanonicalSmallOrder: [(String, String)] = [
        ("identity with x-sign set", "0100000000000000000000000000000000000000000000000000000000000080"),
        ("(0, -1) with x-sign set", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        ("y = p (≡ 0)", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("y = p (≡ 0), x-sign set", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        ("y = p + 1 (≡ 1)", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ("y = p + 1 (≡ 1), x-sign set", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
    ]

    /// Small-order Ed448 points and non-canonical encodings (57 bytes: 56 of y, then the x-sign octet).
    static let ed448Refused: [(String, String)] = [
        ("identity", "01" + String(repeating: "00", count: 56)),
        ("identity with x-sign set", "01" + String(repeating: "00", count: 55) + "80"),
        ("(1, 0), order 4", String(repeating: "00", count: 57)),
        ("(-1, 0), order 4", String(repeating: "00", count: 56) + "80"),
        ("(0, -1), order 2", "fe" + String(repeating: "ff", count: 27) + "fe" + String(repeating: "ff", count: 27) + "00"),
        ("y = p", String(repeating: "ff", count: 28) + "fe" + String(repeating: "ff", count: 27) + "00"),
        ("y = p + 1", String(repeating: "00", count: 28) + String(repeating: "ff", count: 28) + "00"),
        ("final octet not 0x00/0x80", "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256181"),
    ]

    /// An Ed25519 SubjectPublicKeyInfo around a raw key (RFC 8410).
    static func ed25519SPKI(_ raw: [UInt8]) -> [UInt8] {
        [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + raw
    }

    @Test("the 8 small-order Ed25519 points and their non-canonical encodings are refused (components and SPKI)")
    func ed25519SmallOrderRefused() throws {
        for (name, hex) in Self.ed25519SmallOrder + Self.ed25519NonCanonicalSmallOrder {
            let raw = try hexBytes(hex)
            #expect(throws: CryptoError.self, "\(name)") { try PublicKey(components: .ed25519(raw)) }
            #expect(throws: CryptoError.self, "\(name) as SPKI") { try PublicKey(spkiDER: Self.ed25519SPKI(raw)) }
        }
    }

    @Test("every other non-canonical Ed25519 y (p ≤ y < 2^255) is refused")
    func ed25519NonCanonicalRefused() throws {
        for low in 0xED...0xFF {
            for sign: UInt8 in [0x7F, 0xFF] {
                let raw = [UInt8(low)] + [UInt8](repeating: 0xFF, count: 30) + [sign]
                #expect(throws: CryptoError.self, "y low byte \(low)") { try PublicKey(components: .ed25519(raw)) }
            }
        }
    }

    @Test("small-order and non-canonical Ed448 keys are refused")
    func ed448Refused() throws {
        for (name, hex) in Self.ed448Refused {
            let raw = try hexBytes(hex)
            #expect(raw.count == 57)
            #expect(throws: CryptoError.self, "\(name)") { try PublicKey(components: .ed448(raw)) }
        }
    }

    @Test("real keys still import and verify: RFC 8037 A.4 (Ed25519, shared vectors) and RFC 8032 §7.4 (Ed448)")
    func realKeysStillVerify() throws {
        let entry = try #require(try Vectors.cases("jws_rfc7515_rfc7520.json").first { $0["id"] as? String == "rfc8037-A.4-EdDSA-Ed25519" })
        let jwk = try entry.object("jwk_public")
        let key = try PublicKey(components: .ed25519(base64URL(jwk.string("x"))))
        let signature = try base64URL(entry.string("signature_b64u"))
        #expect(try key.verify(signature, for: Array(try entry.string("signing_input").utf8), algorithm: .eddsa))
        #expect(try PublicKey(spkiDER: key.spkiDER) == key)

        let vector = Ed448Tests.rfc8032Section7_4[1]
        let ed448 = try PublicKey(components: .ed448(hexBytes(vector.publicKeyHex)))
        #expect(try ed448.verify(hexBytes(vector.signatureHex), for: hexBytes(vector.messageHex), algorithm: .ed448))
    }
}
