import AuthCrypto

/// Session and refresh tokens: 256 random bits (OpenSSL `RAND_bytes`), sent as 43 characters of base64url.
/// Only SHA-256 of the 32 raw bytes is ever stored, in events and in projections.
public struct OpaqueToken: Sendable, Equatable {
    /// Random bytes in a token.
    public static let byteCount = 32
    /// Characters of its base64url form.
    public static let textLength = 43

    /// The token as handed to the client.
    public let text: String
    /// SHA-256 of the raw bytes: what the server keeps.
    public let hash: [UInt8]

    /// A fresh random token.
    public static func generate() -> OpaqueToken {
        let raw = SecureRandom.bytes(byteCount)
        return OpaqueToken(text: Encoding.base64URL(raw), hash: SHA256.hash(raw))
    }

    /// The successor of the refresh token `presented` (its 43 characters): HMAC-SHA-256 under `key` of a label and
    /// the token's 32 raw bytes. Deterministic, so that re-presenting a token within the grace window hands out the
    /// child it already got, and there is only ever one live leaf per family; unpredictable without `key`, which is
    /// kept outside the log (`<data>/keys/refresh.key`). `nil` if `presented` is not a well-formed token.
    public static func successor(of presented: some StringProtocol, key: [UInt8]) -> OpaqueToken? {
        guard presented.utf8.count == textLength, let raw = Encoding.fromBase64URL(presented), raw.count == byteCount else {
            return nil
        }
        let child = HMAC.authenticate(key: key, message: Array("authd refresh successor v1".utf8) + raw, algorithm: .sha256)
        return OpaqueToken(text: Encoding.base64URL(child), hash: SHA256.hash(child))
    }

    /// The hash of a presented token, or `nil` if it is not 43 base64url characters encoding 32 bytes.
    public static func hash(of presented: some StringProtocol) -> [UInt8]? {
        guard presented.utf8.count == textLength,
            let raw = Encoding.fromBase64URL(presented), raw.count == byteCount
        else { return nil }
        return SHA256.hash(raw)
    }
}

/// Identifiers of users, sessions and refresh families: a prefix and 16 random bytes in base64url (22 chars).
public enum Identifier {
    /// `usr_...`.
    public static func user() -> String { "usr_" + Encoding.base64URL(SecureRandom.bytes(16)) }
    /// `ses_...`.
    public static func session() -> String { "ses_" + Encoding.base64URL(SecureRandom.bytes(16)) }
    /// `fam_...`.
    public static func family() -> String { "fam_" + Encoding.base64URL(SecureRandom.bytes(16)) }
    /// `mfc_...`: a pending second-factor login (MFA challenge).
    public static func mfaChallenge() -> String { "mfc_" + Encoding.base64URL(SecureRandom.bytes(16)) }
    /// `idn_...`: a link of an external identity to a user.
    public static func identity() -> String { "idn_" + Encoding.base64URL(SecureRandom.bytes(16)) }
    /// `rec_...`: an MFA recovery.
    public static func recovery() -> String { "rec_" + Encoding.base64URL(SecureRandom.bytes(16)) }
    /// `bcs_...`: a set of backup codes.
    public static func backupCodeSet() -> String { "bcs_" + Encoding.base64URL(SecureRandom.bytes(12)) }

    /// Whether `text` looks like an identifier with `prefix` (cheap syntactic check before a lookup).
    public static func isWellFormed(_ text: some StringProtocol, prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= prefix.utf8.count + 8, bytes.count <= prefix.utf8.count + 64, text.hasPrefix(prefix) else {
            return false
        }
        return bytes[prefix.utf8.count...].allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
                || byte == 0x5F
        }
    }
}
