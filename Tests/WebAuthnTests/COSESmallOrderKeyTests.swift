import AuthCrypto
import CBOR
import Testing
import WebAuthn

/// A credential public key that is a small-order point (or a non-canonical encoding) is refused when the
/// credential is registered: with the identity as key, the signature R = identity, S = 0 verifies for any message.
@Suite("COSE small-order EdDSA keys")
struct COSESmallOrderKeyTests {
    @Test("Ed25519 COSE keys that are small-order or non-canonical are refused as invalid public keys")
    func ed25519() {
        let refused = [
            [0x01] + [UInt8](repeating: 0, count: 31),  // the identity: 01 ‖ 0^31
            [UInt8](repeating: 0, count: 32),
            [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
            [0xED] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        ]
        for x in refused {
            #expect(throws: WebAuthnError.self) { try COSEKey(cbor: [1: 1, 3: -8, -1: 6, -2: .byteString(x)]) }
        }
    }

    @Test("Ed448 COSE keys that are small-order are refused; a real EdDSA key is accepted")
    func ed448() throws {
        let identity = [0x01] + [UInt8](repeating: 0, count: 56)
        #expect(throws: WebAuthnError.self) { try COSEKey(cbor: [1: 1, 3: -53, -1: 7, -2: .byteString(identity)]) }
        let real = try SigningKey.generate(.eddsa).publicKey
        guard case let .ed25519(x) = real.components else { Issue.record("not Ed25519"); return }
        #expect(try COSEKey(cbor: [1: 1, 3: -8, -1: 6, -2: .byteString(x)]).publicKey == real)
    }
}
