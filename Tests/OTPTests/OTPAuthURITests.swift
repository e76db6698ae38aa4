import Testing
@testable import OTP

@Suite("otpauth:// key URI")
struct OTPAuthURITests {
    static let secret = Array("12345678901234567890".utf8)

    @Test("the documented shape, with an e-mail account name")
    func basicURI() throws {
        let uri = try OTPAuthURI(issuer: "Example", accountName: "alice@example.com", secret: Self.secret, totp: TOTP())
        #expect(uri.string == "otpauth://totp/Example:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            + "&issuer=Example&algorithm=SHA1&digits=6&period=30")
    }

    @Test("spaces, UTF-8 and reserved characters are percent-encoded; unreserved ones are kept")
    func percentEncoding() throws {
        let uri = try OTPAuthURI(issuer: "ACME Co & Sons", accountName: "José Ü+x/y?z#w=v%u", secret: Self.secret, totp: TOTP())
        #expect(uri.string.hasPrefix("otpauth://totp/ACME%20Co%20%26%20Sons:Jos%C3%A9%20%C3%9C%2Bx%2Fy%3Fz%23w%3Dv%25u?"))
        #expect(uri.string.contains("&issuer=ACME%20Co%20%26%20Sons&"))
        #expect(OTPAuthURI.percentEncode("AZaz09-._~") == "AZaz09-._~")
        #expect(OTPAuthURI.percentEncode("a b") == "a%20b")
        #expect(OTPAuthURI.percentEncode("€") == "%E2%82%AC")
        #expect(OTPAuthURI.percentEncode("👍") == "%F0%9F%91%8D")
        // Nothing but unreserved characters, '%' escapes and the fixed punctuation remain.
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%:/?&=")
        #expect(uri.string.allSatisfy { allowed.contains($0) })
    }

    @Test("algorithm, digits and period are carried")
    func parameters() throws {
        let uri = try OTPAuthURI(issuer: "Ex", accountName: "bob", secret: Self.secret, totp: TOTP(algorithm: .sha256, digits: 8, period: 60))
        #expect(uri.string.hasSuffix("&issuer=Ex&algorithm=SHA256&digits=8&period=60"))
        let sha512 = try OTPAuthURI(issuer: "Ex", accountName: "bob", secret: Self.secret, totp: TOTP(algorithm: .sha512, digits: 7))
        #expect(sha512.string.hasSuffix("&algorithm=SHA512&digits=7&period=30"))
    }

    @Test("the secret is base32 without padding and kept out of the description")
    func secretEncoding() throws {
        let secret = [UInt8](repeating: 0xFF, count: 16)
        let uri = try OTPAuthURI(issuer: "Ex", accountName: "bob", secret: secret, totp: TOTP())
        #expect(uri.string.contains("?secret=\(Base32.encode(secret))&"))
        #expect(!uri.string.contains("="  + "="))
        #expect(!uri.description.contains(Base32.encode(secret)))
        #expect(uri.description.contains("<redacted>"))
    }

    @Test("a colon in the account name is percent-encoded; the separator is the only literal colon")
    func colonInAccountName() throws {
        let uri = try OTPAuthURI(issuer: "Example", accountName: "a:b@example.com", secret: Self.secret, totp: TOTP())
        #expect(uri.string.hasPrefix("otpauth://totp/Example:a%3Ab%40example.com?secret="))
        let label = uri.string.dropFirst("otpauth://totp/".count).prefix { $0 != "?" }
        #expect(label.filter { $0 == ":" }.count == 1)
    }

    @Test("a colon in the issuer and empty label parts are refused")
    func refusesBadLabels() throws {
        let totp = try TOTP()
        #expect(throws: OTPError.invalidLabel("issuer contains a colon")) {
            try OTPAuthURI(issuer: "A:B", accountName: "bob", secret: Self.secret, totp: totp)
        }
        #expect(throws: OTPError.invalidLabel("issuer is empty")) {
            try OTPAuthURI(issuer: "", accountName: "bob", secret: Self.secret, totp: totp)
        }
        #expect(throws: OTPError.invalidLabel("account name is empty")) {
            try OTPAuthURI(issuer: "AB", accountName: "", secret: Self.secret, totp: totp)
        }
        #expect(throws: OTPError.secretTooShort(byteCount: 8)) {
            try OTPAuthURI(issuer: "AB", accountName: "bob", secret: [UInt8](repeating: 1, count: 8), totp: totp)
        }
    }
}
