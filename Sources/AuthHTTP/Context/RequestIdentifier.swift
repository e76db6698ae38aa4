import AuthCrypto

/// Request identifiers: generated ones, and validation of caller-supplied `X-Request-Id` values.
public enum RequestIdentifier {
    /// The longest caller-supplied identifier that is accepted.
    public static let maxLength = 64

    /// A new random identifier: 16 bytes of CSPRNG output, base64url (22 characters).
    public static func generate() -> String {
        Encoding.base64URL(SecureRandom.bytes(16))
    }

    /// Whether a caller-supplied identifier is safe to adopt: 1 to 64 characters from
    /// `A-Z a-z 0-9 - _ . :` (nothing that could break a log line or a header).
    public static func isValid(_ candidate: some StringProtocol) -> Bool {
        let bytes = candidate.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy { byte in
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
}
