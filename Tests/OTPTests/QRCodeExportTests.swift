import Foundation
import Testing
@testable import OTP

/// Builds QR Codes for many payloads and, when `QR_MATRIX_DIR` is set, writes each as
/// `<name>.matrix.json` (payload, version, mask, module rows, SVG) for `Tests/python/test_qrcode.py`,
/// which decodes them with an independent decoder (zxing-cpp) and compares them with segno.
@Suite("QR Code export for the Python decoder check")
struct QRCodeExportTests {
    /// Named payloads: edge sizes, one that fills each version 1...40 exactly, and otpauth URIs.
    static func payloads() throws -> [(name: String, bytes: [UInt8])] {
        var result: [(String, [UInt8])] = [
            ("empty", []),
            ("one-byte", [0x41]),
            ("v1-overflow", Array("ABCDEFGHIJKLMNO".utf8)),
            ("printable-ascii", Array((32...126).map { UInt8($0) })),
        ]
        for version in QRCode.supportedVersions {
            let capacity = try QRCode.byteCapacity(version: version)
            let bytes = (0..<capacity).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ version &* 7) }
            result.append((String(format: "fill-v%02d", version), bytes))
        }
        let secret20 = (0..<20).map { UInt8($0 &* 13 &+ 5) }
        let uris: [(String, OTPAuthURI)] = [
            ("otpauth-typical", try OTPAuthURI(issuer: "Example Corp", accountName: "alice.smith@example.com", secret: secret20, totp: TOTP())),
            ("otpauth-utf8", try OTPAuthURI(issuer: "Café Zürich", accountName: "José Ü 山田", secret: secret20, totp: TOTP())),
            ("otpauth-sha512", try OTPAuthURI(issuer: "ACME & Sons", accountName: "bob+mfa@example.org",
                                              secret: (0..<64).map { UInt8($0) }, totp: TOTP(algorithm: .sha512, digits: 8, period: 60))),
            ("otpauth-long", try OTPAuthURI(issuer: "A Rather Long Issuer Name Incorporated",
                                            accountName: String(repeating: "very.long.account.name.", count: 4) + "@example.com",
                                            secret: secret20, totp: TOTP(algorithm: .sha256))),
        ]
        for (name, uri) in uris { result.append((name, Array(uri.string.utf8))) }
        return result
    }

    @Test("every payload encodes; matrices are written when QR_MATRIX_DIR is set")
    func export() throws {
        let directory = try Export.directory("QR_MATRIX_DIR")
        var written = 0
        for (name, bytes) in try Self.payloads() {
            let code = try QRCode(bytes: bytes)
            #expect(try QRCode.byteCapacity(version: code.version) >= bytes.count)
            if code.version > 1 { #expect(try QRCode.byteCapacity(version: code.version - 1) < bytes.count, "\(name)") }
            guard let directory else { continue }
            let object: [String: Any] = [
                "name": name,
                "payload_hex": Export.hex(bytes),
                "version": code.version,
                "error_correction": "M",
                "mask": code.mask,
                "size": code.size,
                "quiet_zone": QRCode.quietZone,
                "rows": code.rows.map { row in String(row.map { $0 ? "1" : "0" }) },
                "svg": code.svg(moduleSize: 4),
            ]
            try Export.write(object, named: "\(name).matrix.json", in: directory)
            written += 1
        }
        if directory != nil { #expect(written >= 48) }
    }
}
