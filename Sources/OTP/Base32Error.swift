/// Why a string is not acceptable RFC 4648 base32.
public enum Base32Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// A character outside the base32 alphabet (either case), `=` and space, at this offset of the
    /// input (in characters, counting everything).
    case invalidCharacter(Character, offset: Int)
    /// The number of base32 characters (spaces and padding left out) can never come from whole bytes
    /// (a remainder of 1, 3 or 6 modulo 8).
    case invalidLength(Int)
    /// Padding that is not a single trailing run completing the last 8-character group with the exact
    /// number of `=` that group needs.
    case invalidPadding
    /// The unused low bits of the last character are not zero, so the text is not the canonical encoding
    /// of any byte string.
    case nonZeroTrailingBits

    /// A short English explanation.
    public var description: String {
        switch self {
        case .invalidCharacter(let character, let offset): "base32: invalid character \(character.debugDescription) at offset \(offset)"
        case .invalidLength(let count): "base32: \(count) characters cannot encode whole bytes"
        case .invalidPadding: "base32: malformed '=' padding"
        case .nonZeroTrailingBits: "base32: non-zero trailing bits (not a canonical encoding)"
        }
    }
}
