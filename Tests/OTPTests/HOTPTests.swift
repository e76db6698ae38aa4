import AuthCrypto
import Testing
import TestSupport
@testable import OTP

@Suite("HOTP (RFC 4226)")
struct HOTPTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let count: UInt64
        let hmac: [UInt8]
        let truncated: UInt32
        let hotp: String
        var testDescription: String { "count \(count)" }
    }

    static func loadVectors() throws -> (secret: [UInt8], digits: Int, cases: [Vector]) {
        let root = try Vectors.load("hotp_rfc4226.json")
        let parameters = try root.object("parameters")
        let secret = try parameters.hexBytes("secret_hex")
        let digits = try parameters.int("digits")
        let vectors = try Vectors.cases("hotp_rfc4226.json").map { item in
            Vector(
                count: UInt64(try item.int("count")),
                hmac: try item.hexBytes("hmac_sha1_hex"),
                truncated: UInt32(try item.int("truncated_decimal")),
                hotp: try item.string("hotp"))
        }
        return (secret, digits, vectors)
    }

    @Test("all 10 RFC 4226 Appendix D values: HMAC, truncation and code")
    func rfcVectors() throws {
        let (secret, digits, vectors) = try Self.loadVectors()
        #expect(vectors.count == 10)
        let hotp = try HOTP(algorithm: .sha1, digits: digits)
        for vector in vectors {
            let mac = HMAC.authenticate(key: secret, message: HOTP.counterBytes(vector.count), algorithm: .sha1)
            #expect(mac == vector.hmac, "HMAC for count \(vector.count)")
            #expect(HOTP.truncate(mac) == vector.truncated, "truncation for count \(vector.count)")
            #expect(try hotp.code(secret: secret, counter: vector.count) == vector.hotp, "code for count \(vector.count)")
            #expect(try hotp.matches(code: vector.hotp, secret: secret, counter: vector.count))
            #expect(try !hotp.matches(code: vector.hotp, secret: secret, counter: vector.count + 1))
        }
    }

    @Test("7 and 8 digits take more of the truncated value")
    func longerCodes() throws {
        let secret = Array("12345678901234567890".utf8)
        // Count 0 truncates to 1284755224 (RFC 4226 Appendix D).
        #expect(try HOTP(digits: 7).code(secret: secret, counter: 0) == "4755224")
        #expect(try HOTP(digits: 8).code(secret: secret, counter: 0) == "84755224")
    }

    @Test("digits outside 6...8 are refused", arguments: [0, 5, 9, 10, -6])
    func refusesDigits(digits: Int) {
        #expect(throws: OTPError.unsupportedDigits(digits)) { try HOTP(digits: digits) }
    }

    @Test("secrets under 128 bits are refused")
    func refusesShortSecret() throws {
        let hotp = try HOTP()
        #expect(throws: OTPError.secretTooShort(byteCount: 15)) { try hotp.code(secret: [UInt8](repeating: 1, count: 15), counter: 0) }
        #expect(throws: OTPError.secretTooShort(byteCount: 0)) { try hotp.code(secret: [], counter: 0) }
        #expect(throws: OTPError.secretTooShort(byteCount: 10)) { try HOTP.generateSecret(byteCount: 10) }
        #expect(try HOTP.generateSecret().count == 20)
    }

    @Test("the counter is 8 bytes big-endian")
    func counterEncoding() {
        #expect(HOTP.counterBytes(0) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(HOTP.counterBytes(0x0102_0304_0506_0708) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(HOTP.counterBytes(.max) == [UInt8](repeating: 0xFF, count: 8))
    }
}
