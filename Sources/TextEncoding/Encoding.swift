/// Hex and base64url (RFC 4648 §5, no padding) encodings used for tokens and identifiers: the one base64url of the
/// package (tokens, JOSE, WebAuthn, event renderings, CBOR as JSON). `import AuthCrypto` re-exports it.
public enum Encoding {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let base64URLReverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in base64URLAlphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); `nil` if malformed.
    public static func fromHex(_ string: some StringProtocol) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// base64url without padding.
    public static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(base64URLAlphabet[Int(value >> 18 & 63)])
            out.append(base64URLAlphabet[Int(value >> 12 & 63)])
            out.append(base64URLAlphabet[Int(value >> 6 & 63)])
            out.append(base64URLAlphabet[Int(value & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest == 1 {
            let value = UInt32(input[index]) << 16
            out.append(base64URLAlphabet[Int(value >> 18 & 63)])
            out.append(base64URLAlphabet[Int(value >> 12 & 63)])
        } else if rest == 2 {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(base64URLAlphabet[Int(value >> 18 & 63)])
            out.append(base64URLAlphabet[Int(value >> 12 & 63)])
            out.append(base64URLAlphabet[Int(value >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64url without padding, strictly: no padding, no other alphabet, no non-zero trailing bits.
    public static func fromBase64URL(_ string: some StringProtocol) -> [UInt8]? {
        // A native string's bytes in place; a copy of the others'.
        if let decoded = string.utf8.withContiguousStorageIfAvailable({ fromBase64URL(utf8: $0) }) { return decoded }
        return Array(string.utf8).withUnsafeBufferPointer { fromBase64URL(utf8: $0) }
    }

    /// ``fromBase64URL(_:)`` of the UTF-8 bytes `chars`.
    static func fromBase64URL(utf8 chars: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if chars.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for char in chars {
            let value = base64URLReverse[Int(char)]
            if value == 0xFF { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero (canonical encoding).
        if bits > 0 && buffer & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }
}
