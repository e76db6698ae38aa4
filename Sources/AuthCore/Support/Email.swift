import Foundation

/// Email normalisation and the syntactic check applied at registration and login.
public enum Email {
    /// The longest address accepted (RFC 5321 path limit).
    public static let maximumLength = 254

    /// The canonical form of an address: surrounding white space trimmed, Unicode NFC, lowercased. The whole
    /// address is lowercased (local parts are case-sensitive in theory, never in practice), so `Ada@Example.COM`
    /// and `ada@example.com` are one account. `nil` when the result is not plausibly an address: one `@`, a
    /// non-empty local part of at most 64 bytes, a domain with a dot and no empty labels, no white space or
    /// control characters, at most 254 bytes.
    public static func normalize(_ raw: String) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = trimmed.precomposedStringWithCanonicalMapping.lowercased()
        guard !email.isEmpty, email.utf8.count <= maximumLength else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty else { return nil }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else { return nil }
        for scalar in email.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80...0x9F).contains(scalar.value) || scalar == "<" || scalar == ">" || scalar == "\"" || scalar == "\\"
                || scalar == "," || scalar == ";"
            {
                return nil
            }
        }
        return email
    }
}

/// The password length rule: 8 to 128 characters (and at most 1,024 UTF-8 bytes), so that hashing cost is bounded.
public enum PasswordPolicy {
    /// Fewest characters.
    public static let minimumLength = 8
    /// Most characters.
    public static let maximumLength = 128
    /// Most UTF-8 bytes.
    public static let maximumBytes = 1024

    /// `nil` if acceptable, else the reason (`too_short`, `too_long`).
    public static func violation(_ password: String) -> String? {
        if password.utf8.count > maximumBytes || password.count > maximumLength { return "too_long" }
        if password.count < minimumLength { return "too_short" }
        return nil
    }
}
