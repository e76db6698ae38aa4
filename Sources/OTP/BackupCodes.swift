import AuthCrypto

/// One-time recovery codes: 80 random bits each, shown as 16 Crockford base32 characters in groups of
/// four (`7K3M-Q9TZ-0CXH-WD4R`), stored only as HMAC-SHA-256 under a server key.
///
/// Keying the hash means a leaked table of hashes cannot be brute-forced offline without the key. Input
/// is forgiving: case, dashes and whitespace are ignored, and Crockford's confusables are mapped
/// (`O` → `0`, `I` and `L` → `1`). `U` is not in the alphabet and is refused.
public enum BackupCodes {
    /// Codes per set.
    public static let defaultCount = 10
    /// Characters in a code (5 bits each: 80 bits of entropy).
    public static let characterCount = 16
    /// Characters between dashes in the displayed form.
    public static let groupLength = 4
    /// The shortest accepted server key: 32 bytes (HMAC-SHA-256's output size).
    public static let minimumKeyByteCount = 32
    /// Crockford's base32 alphabet: digits and letters without I, L, O and U.
    public static let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

    private static let alphabetBytes = Array(alphabet.utf8)

    /// `count` distinct fresh codes in display form (`XXXX-XXXX-XXXX-XXXX`), from AuthCrypto's CSPRNG.
    public static func generate(count: Int = defaultCount) -> [String] {
        var codes: [String] = []
        var seen = Set<String>()
        while codes.count < count {
            let code = display(encode(SecureRandom.bytes(characterCount * 5 / 8)))
            if seen.insert(code).inserted { codes.append(code) }
        }
        return codes
    }

    /// The canonical form of user input (16 uppercase alphabet characters, no dashes), or `nil` if it is
    /// not a code: case, `-` and ASCII whitespace are ignored, `O` reads as `0`, `I` and `L` as `1`.
    public static func normalize(_ input: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(characterCount)
        for scalar in input.unicodeScalars {
            guard scalar.isASCII else { return nil }
            var byte = UInt8(scalar.value)
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): byte -= 0x20
            default: break
            }
            switch byte {
            case UInt8(ascii: "O"): byte = UInt8(ascii: "0")
            case UInt8(ascii: "I"), UInt8(ascii: "L"): byte = UInt8(ascii: "1")
            default: break
            }
            guard alphabetBytes.contains(byte), out.count < characterCount else { return nil }
            out.append(byte)
        }
        guard out.count == characterCount else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// The display form of a canonical code: groups of four joined by dashes.
    public static func display(_ canonical: String) -> String {
        var groups: [Substring] = []
        var rest = Substring(canonical)
        while !rest.isEmpty {
            groups.append(rest.prefix(groupLength))
            rest = rest.dropFirst(groupLength)
        }
        return groups.joined(separator: "-")
    }

    /// HMAC-SHA-256 under `key` of the normalised code's ASCII text: the value to store. Throws
    /// `.malformedCode` if the input does not normalise, `.keyTooShort` for a key under 32 bytes.
    public static func hash(code: String, key: [UInt8]) throws(BackupCodeError) -> [UInt8] {
        guard key.count >= minimumKeyByteCount else { throw .keyTooShort(byteCount: key.count) }
        guard let canonical = normalize(code) else { throw .malformedCode }
        return HMAC.authenticate(key: key, message: Array(canonical.utf8), algorithm: .sha256)
    }

    /// The index in `storedHashes` of the hash that `code` matches, or `nil` if none does or the input is
    /// not a code. Every stored hash is compared in constant time, without stopping at a match. The caller
    /// must then remove (or mark used) the matched hash so the code works only once.
    public static func firstMatch(code: String, key: [UInt8], storedHashes: [[UInt8]]) throws(BackupCodeError) -> Int? {
        guard key.count >= minimumKeyByteCount else { throw .keyTooShort(byteCount: key.count) }
        guard let canonical = normalize(code) else { return nil }
        let candidate = HMAC.authenticate(key: key, message: Array(canonical.utf8), algorithm: .sha256)
        var match: Int? = nil
        for (index, stored) in storedHashes.enumerated() where ConstantTime.equals(candidate, stored) && match == nil {
            match = index
        }
        return match
    }

    /// 5-bit groups of `bytes` (a multiple of 5 bytes) in the Crockford alphabet.
    private static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabetBytes[Int(buffer >> UInt32(bits) & 31)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
