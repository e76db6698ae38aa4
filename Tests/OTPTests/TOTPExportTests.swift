import AuthCrypto
import Foundation
import Testing
@testable import OTP

/// Computes TOTP codes and otpauth URIs for many parameters and, when `OTP_EXPORT_DIR` is set, writes
/// them to `totp.json` for `Tests/python/test_totp_pyotp.py`, which recomputes them with pyotp.
@Suite("TOTP export for the pyotp cross-check")
struct TOTPExportTests {
    @Test("codes for every algorithm, length and period; written when OTP_EXPORT_DIR is set")
    func export() throws {
        let secrets: [[UInt8]] = [
            Array("12345678901234567890".utf8),
            Array("12345678901234567890123456789012".utf8),
            (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 3) },
            (0..<16).map { UInt8(255 - $0) },
            (0..<35).map { UInt8($0 &* 7) },
            SecureRandom.bytes(20),
            SecureRandom.bytes(21),
        ]
        let times: [Int64] = [0, 29, 30, 59, 1_111_111_109, 1_234_567_890, 2_000_000_000, 20_000_000_000,
                              Int64(Date().timeIntervalSince1970)]
        var cases: [[String: Any]] = []
        for secret in secrets {
            for algorithm in OTPAlgorithm.allCases {
                for digits in HOTP.allowedDigits {
                    for period in [30, 60] {
                        let totp = try TOTP(algorithm: algorithm, digits: digits, period: period)
                        for time in times {
                            let code = try totp.code(secret: secret, at: time)
                            #expect(code.count == digits)
                            cases.append([
                                "secret_base32": Base32.encode(secret), "secret_hex": Export.hex(secret),
                                "algorithm": algorithm.rawValue, "digits": digits, "period": period,
                                "time": time, "code": code,
                            ])
                        }
                    }
                }
            }
        }
        let uriCases: [(String, String, [UInt8], TOTP)] = [
            ("Example", "alice@example.com", secrets[0], try TOTP()),
            ("ACME Co & Sons", "José Ü+x/y?z#w=v%u", secrets[3], try TOTP(algorithm: .sha256, digits: 8, period: 60)),
            ("Café Zürich", "山田 太郎", secrets[2], try TOTP(algorithm: .sha512, digits: 7)),
            // An email with a colon (valid): percent-encoded as %3A, so the separator stays the label's only colon.
            ("authd", "a:b@example.com", secrets[1], try TOTP()),
        ]
        let uris: [[String: Any]] = try uriCases.map { issuer, account, secret, totp in
            let uri = try OTPAuthURI(issuer: issuer, accountName: account, secret: secret, totp: totp)
            return [
                "uri": uri.string, "issuer": issuer, "account": account, "secret_base32": Base32.encode(secret),
                "algorithm": totp.algorithm.rawValue, "digits": totp.digits, "period": totp.period,
                "code_at_1234567890": try totp.code(secret: secret, at: 1_234_567_890),
            ]
        }
        guard let directory = try Export.directory("OTP_EXPORT_DIR") else { return }
        try Export.write(["cases": cases, "uris": uris], named: "totp.json", in: directory)
    }
}
