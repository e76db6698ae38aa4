/// A Key URI for provisioning a TOTP secret into an authenticator app (usually shown as a QR code):
///
///     otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30
///
/// The issuer and account name are percent-encoded as UTF-8, keeping only RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), so a space becomes `%20` (never `+`), `@` becomes `%40` and a colon inside the
/// account name becomes `%3A` (an email such as `a:b@example.com` is valid). The colon between issuer and
/// account name is the only literal one. The issuer may not contain a colon: parsers that decode the label
/// before splitting it at its first colon (pyotp, many apps) would cut the issuer there; with a colon-free
/// issuer the first colon is always the separator, whatever the account name holds.
public struct OTPAuthURI: Sendable, Hashable, CustomStringConvertible {
    /// The service name, shown by the app and used to group accounts.
    public let issuer: String
    /// The account name, usually the user's e-mail address or user name.
    public let accountName: String
    /// The raw secret (it appears base32-encoded in the URI).
    public let secret: [UInt8]
    /// The generator parameters (algorithm, digits, period).
    public let totp: TOTP

    /// Checks the label parts: throws `.invalidLabel` if the issuer or account name is empty or the issuer
    /// contains a colon, and `.secretTooShort` for a secret under 16 bytes.
    public init(issuer: String, accountName: String, secret: [UInt8], totp: TOTP) throws(OTPError) {
        guard !issuer.isEmpty else { throw .invalidLabel("issuer is empty") }
        guard !accountName.isEmpty else { throw .invalidLabel("account name is empty") }
        guard !issuer.contains(":") else { throw .invalidLabel("issuer contains a colon") }
        guard secret.count >= HOTP.minimumSecretByteCount else { throw .secretTooShort(byteCount: secret.count) }
        self.issuer = issuer
        self.accountName = accountName
        self.secret = secret
        self.totp = totp
    }

    /// The URI text.
    public var string: String {
        let issuerText = Self.percentEncode(issuer)
        return "otpauth://totp/\(issuerText):\(Self.percentEncode(accountName))"
            + "?secret=\(Base32.encode(secret))&issuer=\(issuerText)"
            + "&algorithm=\(totp.algorithm.rawValue)&digits=\(totp.digits)&period=\(totp.period)"
    }

    /// The URI text, without the secret (safe for logs).
    public var description: String {
        "otpauth://totp/\(Self.percentEncode(issuer)):\(Self.percentEncode(accountName))?secret=<redacted>"
    }

    /// `text` as UTF-8 with every byte outside the RFC 3986 unreserved set written as `%XX` (uppercase hex).
    public static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
