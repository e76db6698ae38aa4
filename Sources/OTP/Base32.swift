/// RFC 4648 §6 base32, the encoding of TOTP secrets in `otpauth://` URIs and authenticator apps.
///
/// Encoding gives uppercase without padding. Decoding accepts lowercase, ASCII spaces anywhere (apps show
/// secrets in groups) and correct `=` padding; anything else is refused: other characters, impossible
/// lengths, malformed padding and non-zero trailing bits.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() {
            table[Int(char)] = UInt8(index)
            if char >= UInt8(ascii: "A"), char <= UInt8(ascii: "Z") { table[Int(char | 0x20)] = UInt8(index) }
        }
        return table
    }()

    /// The number of `=` that completes a final group of `remainder` (the character count modulo 8).
    private static func requiredPadding(forRemainder remainder: Int) -> Int? {
        switch remainder {
        case 0: 0
        case 2: 6
        case 4: 4
        case 5: 3
        case 7: 1
        default: nil
        }
    }

    /// The base32 text of `bytes`: uppercase, no padding.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.underestimatedCount * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits) & 31)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes `text` encodes. Lowercase, ASCII spaces and correct `=` padding are accepted.
    public static func decode(_ text: some StringProtocol) throws(Base32Error) -> [UInt8] {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var paddingCount = 0
        for (offset, character) in text.enumerated() {
            // `Character.asciiValue` maps "\r\n" to "\n"; neither is accepted, so that is harmless.
            guard let ascii = character.asciiValue else { throw .invalidCharacter(character, offset: offset) }
            if ascii == UInt8(ascii: " ") { continue }
            if ascii == UInt8(ascii: "=") {
                paddingCount += 1
                continue
            }
            let value = reverse[Int(ascii)]
            // A data character after padding has started is misplaced padding, not a bad character.
            guard value != 0xFF else { throw .invalidCharacter(character, offset: offset) }
            guard paddingCount == 0 else { throw .invalidPadding }
            values.append(value)
        }
        guard let expectedPadding = requiredPadding(forRemainder: values.count % 8) else { throw .invalidLength(values.count) }
        if paddingCount > 0, paddingCount != expectedPadding { throw .invalidPadding }

        var out: [UInt8] = []
        out.reserveCapacity(values.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for value in values {
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        guard buffer == 0 else { throw .nonZeroTrailingBits }
        return out
    }
}
