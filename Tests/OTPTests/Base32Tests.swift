import AuthCrypto
import Testing
@testable import OTP

@Suite("Base32 (RFC 4648 §6)")
struct Base32Tests {
    /// RFC 4648 §10 test vectors, padded as printed there.
    static let rfcVectors: [(String, String)] = [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="),
        ("foob", "MZXW6YQ="), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ]

    @Test("RFC 4648 vectors encode without padding", arguments: rfcVectors)
    func encodesRFCVectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded.replacingOccurrences(of: "=", with: ""))
    }

    @Test("RFC 4648 vectors decode padded, unpadded, lowercase and spaced", arguments: rfcVectors)
    func decodesRFCVectors(plain: String, encoded: String) throws {
        let unpadded = encoded.replacingOccurrences(of: "=", with: "")
        #expect(try Base32.decode(encoded) == Array(plain.utf8))
        #expect(try Base32.decode(unpadded) == Array(plain.utf8))
        #expect(try Base32.decode(encoded.lowercased()) == Array(plain.utf8))
        let spaced = unpadded.enumerated().map { $0.offset % 4 == 3 ? "\($0.element) " : "\($0.element)" }.joined()
        #expect(try Base32.decode(" " + spaced + " ") == Array(plain.utf8))
    }

    @Test("random byte strings round-trip")
    func roundTrips() throws {
        for length in 0...80 {
            let bytes = SecureRandom.bytes(length)
            let text = Base32.encode(bytes)
            #expect(text.count == (length * 8 + 4) / 5)
            #expect(!text.contains("="))
            #expect(text == text.uppercased())
            #expect(try Base32.decode(text) == bytes)
        }
    }

    @Test("a TOTP secret in the usual grouped lowercase form")
    func groupedSecret() throws {
        #expect(try Base32.decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == Array("12345678901234567890".utf8))
    }

    @Test("malformed input is refused", arguments: [
        ("M", Base32Error.invalidLength(1)),
        ("MZX", .invalidLength(3)),
        ("MZXW6Y", .invalidLength(6)),
        ("MZ1Q", .invalidCharacter("1", offset: 2)),
        ("MZ8Q", .invalidCharacter("8", offset: 2)),
        ("MZ0Q", .invalidCharacter("0", offset: 2)),
        ("MZX-Q", .invalidCharacter("-", offset: 3)),
        ("MZXQ\n", .invalidCharacter("\n", offset: 4)),
        ("MZ\tXQ", .invalidCharacter("\t", offset: 2)),
        ("MZXé", .invalidCharacter("é", offset: 3)),
        ("MZXQ===", .invalidPadding),
        ("MZXQ=====", .invalidPadding),
        ("MZXW6YQ==", .invalidPadding),
        ("MZXW6YTB========", .invalidPadding),
        ("========", .invalidPadding),
        ("MZ=XQ===", .invalidPadding),
        ("MZXQ====MZXQ", .invalidPadding),
        ("MZXR", .nonZeroTrailingBits),
        ("MZ", .nonZeroTrailingBits),
        ("MY======A", .invalidPadding),
    ])
    func refusesMalformed(text: String, expected: Base32Error) {
        #expect(throws: expected) { try Base32.decode(text) }
    }
}
