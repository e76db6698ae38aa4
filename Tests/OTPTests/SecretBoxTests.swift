import AuthCrypto
import Testing
@testable import OTP

@Suite("SecretBox (AES-256-GCM for TOTP secrets)")
struct SecretBoxTests {
    static let key = (0..<32).map { UInt8($0) }
    static let userID = Array("user-7f3a".utf8)
    static let secret = Array("12345678901234567890".utf8)

    @Test("seal and open round-trip; each seal uses a fresh nonce")
    func roundTrip() throws {
        let box = try SecretBox(key: Self.key)
        let sealed = try box.seal(Self.secret, associatedData: Self.userID)
        #expect(sealed.count == Self.secret.count + SecretBox.overhead)
        #expect(try box.open(sealed, associatedData: Self.userID) == Self.secret)
        let again = try box.seal(Self.secret, associatedData: Self.userID)
        #expect(again != sealed)
        #expect(Array(again.prefix(12)) != Array(sealed.prefix(12)))
        #expect(try box.open(try box.seal([], associatedData: []), associatedData: []) == [])
    }

    @Test("any flipped bit is detected")
    func tamper() throws {
        let box = try SecretBox(key: Self.key)
        let sealed = try box.seal(Self.secret, associatedData: Self.userID)
        for index in sealed.indices {
            for bit in [0, 7] {
                var tampered = sealed
                tampered[index] ^= 1 << bit
                #expect(throws: SecretBoxError.authenticationFailed) { try box.open(tampered, associatedData: Self.userID) }
            }
        }
        #expect(throws: SecretBoxError.authenticationFailed) { try box.open(Array(sealed.dropLast()), associatedData: Self.userID) }
        #expect(throws: SecretBoxError.authenticationFailed) { try box.open(sealed + [0], associatedData: Self.userID) }
        #expect(throws: SecretBoxError.malformed) { try box.open(Array(sealed.prefix(27)), associatedData: Self.userID) }
    }

    @Test("another user's associated data or another key is refused")
    func binding() throws {
        let box = try SecretBox(key: Self.key)
        let sealed = try box.seal(Self.secret, associatedData: Self.userID)
        #expect(throws: SecretBoxError.authenticationFailed) { try box.open(sealed, associatedData: Array("user-7f3b".utf8)) }
        #expect(throws: SecretBoxError.authenticationFailed) { try box.open(sealed, associatedData: []) }
        var otherKey = Self.key
        otherKey[0] ^= 0x80
        #expect(throws: SecretBoxError.authenticationFailed) { try SecretBox(key: otherKey).open(sealed, associatedData: Self.userID) }
    }

    @Test("the format is AuthCrypto's combined AES-GCM with the labelled associated data")
    func format() throws {
        let sealed = try SecretBox(key: Self.key).seal(Self.secret, associatedData: Self.userID)
        let box = try AESGCM.SealedBox(combined: sealed)
        #expect(try AESGCM.open(box, key: Self.key, authenticating: SecretBox.associatedDataPrefix + Self.userID) == Self.secret)
        // Without the label the box does not open: it cannot be confused with other data under the same key.
        #expect(throws: CryptoError.self) { try AESGCM.open(box, key: Self.key, authenticating: Self.userID) }
    }

    @Test("keys must be 32 bytes", arguments: [0, 16, 31, 33, 64])
    func keySize(count: Int) {
        #expect(throws: SecretBoxError.invalidKeySize(count)) { try SecretBox(key: [UInt8](repeating: 1, count: count)) }
    }
}
