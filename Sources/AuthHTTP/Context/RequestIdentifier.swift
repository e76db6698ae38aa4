import AuthCrypto

/// Request identifiers: generated ones (the only ones recorded in events and sent back), and the sanitising of
/// caller-supplied `X-Request-Id` values (kept for log lines only).
public enum RequestIdentifier {
    /// The longest caller-supplied identifier that is accepted.
    public static let maxLength = 64

    /// A new random identifier: 16 bytes of CSPRNG output, base64url (22 characters).
    public static func generate() -> String {
        Encoding.base64URL(SecureRandom.bytes(16))
    }

    /// A caller-supplied `X-Request-Id` made safe for a log line: every character outside
    /// `A-Z a-z 0-9 - _ . :` replaced by `_`, cut to ``maxLength`` bytes; `nil` if nothing is left.
    public static func sanitizedClientID(_ supplied: some StringProtocol) -> String? {
        var out: [UInt8] = []
        for scalar in supplied.unicodeScalars.prefix(maxLength) {
            if scalar.isASCII, isSafe(UInt8(scalar.value)) {
                out.append(UInt8(scalar.value))
            } else {
                out.append(UInt8(ascii: "_"))
            }
        }
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    /// Whether a caller-supplied identifier is safe to adopt: 1 to 64 characters from
    /// `A-Z a-z 0-9 - _ . :` (nothing that could break a log line or a header).
    public static func isValid(_ candidate: some StringProtocol) -> Bool {
        let bytes = candidate.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy(isSafe)
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }
}
