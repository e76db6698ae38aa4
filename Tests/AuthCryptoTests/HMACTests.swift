import AuthCrypto
import TestSupport
import Testing

/// HMAC-SHA-1/256/512 against RFC 4226 (HOTP) and RFC 6238 (TOTP), with the truncation done here.
@Suite struct HMACTests {
    /// RFC 4226 §5.3 dynamic truncation: 31 bits from the offset in the last nibble.
    static func truncate(_ mac: [UInt8]) -> UInt32 {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        return (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
    }

    static func counterBytes(_ counter: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
    }

    static func digits(_ value: UInt32, _ count: Int) -> String {
        var modulus: UInt32 = 1
        for _ in 0..<count { modulus *= 10 }
        let text = String(value % modulus)
        return String(repeating: "0", count: count - text.count) + text
    }

    @Test func hotpRFC4226IntermediateValues() throws {
        let file = try Vectors.load("hotp_rfc4226.json")
        let secret = try (file["parameters"] as? [String: Any] ?? [:]).hex("secret_hex")
        let cases = try Vectors.cases("hotp_rfc4226.json")
        #expect(cases.count == 10)
        for entry in cases {
            let count = try entry.int("count")
            let counter = Self.counterBytes(UInt64(count))
            #expect(counter == (try entry.hex("counter_bytes_hex")))
            let mac = HMAC.authenticate(key: secret, message: counter, algorithm: .sha1)
            #expect(Encoding.hex(mac) == (try entry.string("hmac_sha1_hex")), "count \(count)")
            let truncated = Self.truncate(mac)
            // The RFC table writes the truncated value in hex without leading zeros ("82fef30").
            #expect(String(truncated, radix: 16) == (try entry.string("truncated_hex")), "count \(count)")
            #expect(Int(truncated) == (try entry.int("truncated_decimal")), "count \(count)")
            #expect(Self.digits(truncated, 6) == (try entry.string("hotp")), "count \(count)")
        }
    }

    @Test func totpRFC6238AllModes() throws {
        let cases = try Vectors.cases("totp_rfc6238.json")
        #expect(cases.count == 18)
        var modesSeen: Set<String> = []
        for entry in cases {
            let time = try entry.int("time_unix")
            let step = UInt64(time / 30)
            #expect(Int(step) == (try entry.int("T")))
            #expect(Self.counterBytes(step) == (try entry.hex("T_hex")))
            let mode = try entry.string("mode")
            let algorithm: DigestAlgorithm
            switch mode {
            case "SHA1": algorithm = .sha1
            case "SHA256": algorithm = .sha256
            case "SHA512": algorithm = .sha512
            default: Issue.record("unknown TOTP mode \(mode)"); continue
            }
            modesSeen.insert(mode)
            let mac = HMAC.authenticate(key: try entry.hex("seed_hex"), message: Self.counterBytes(step), algorithm: algorithm)
            #expect(mac.count == algorithm.byteCount)
            #expect(Self.digits(Self.truncate(mac), 8) == (try entry.string("totp")), "time \(time) \(mode)")
        }
        #expect(modesSeen == ["SHA1", "SHA256", "SHA512"])
    }

    @Test func knownAnswersIncludingEmptyKey() {
        let fox = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(Encoding.hex(HMAC.authenticate(key: Array("key".utf8), message: fox, algorithm: .sha256))
            == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        #expect(Encoding.hex(HMAC.authenticate(key: [], message: [], algorithm: .sha256))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func isValidComparesWholeTag() {
        let key = SecureRandom.bytes(32), message = Array("message".utf8)
        let tag = HMAC.authenticate(key: key, message: message, algorithm: .sha512)
        #expect(HMAC.isValid(tag: tag, key: key, message: message, algorithm: .sha512))
        var flipped = tag
        flipped[63] ^= 1
        #expect(!HMAC.isValid(tag: flipped, key: key, message: message, algorithm: .sha512))
        #expect(!HMAC.isValid(tag: Array(tag.prefix(32)), key: key, message: message, algorithm: .sha512))
        #expect(!HMAC.isValid(tag: tag, key: key, message: message, algorithm: .sha256))
    }
}
