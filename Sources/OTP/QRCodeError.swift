/// Why a QR Code could not be made.
public enum QRCodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The payload does not fit in the largest allowed version at error correction level M.
    case payloadTooLarge(byteCount: Int, capacity: Int)
    /// A version outside 1...40 was requested.
    case unsupportedVersion(Int)
    /// A mask pattern outside 0...7 was requested.
    case unsupportedMask(Int)

    /// A short English explanation.
    public var description: String {
        switch self {
        case .payloadTooLarge(let count, let capacity): "QR payload of \(count) bytes exceeds the capacity of \(capacity) bytes"
        case .unsupportedVersion(let version): "QR version must be 1...40, not \(version)"
        case .unsupportedMask(let mask): "QR mask pattern must be 0...7, not \(mask)"
        }
    }
}
