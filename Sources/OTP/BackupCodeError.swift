/// Why a backup code could not be hashed.
public enum BackupCodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server key is shorter than `BackupCodes.minimumKeyByteCount`.
    case keyTooShort(byteCount: Int)
    /// The input does not normalise to 16 Crockford base32 characters.
    case malformedCode

    /// A short English explanation.
    public var description: String {
        switch self {
        case .keyTooShort(let count): "backup code key must be at least 32 bytes, not \(count)"
        case .malformedCode: "backup code is not 16 Crockford base32 characters"
        }
    }
}
