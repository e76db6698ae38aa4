/// The NIST prime curves accepted for ECDSA keys.
public enum ECCurve: String, Sendable, CaseIterable {
    /// NIST P-256 (secp256r1), used by ES256.
    case p256 = "P-256"
    /// NIST P-384 (secp384r1), used by ES384.
    case p384 = "P-384"
    /// NIST P-521 (secp521r1), used by ES512.
    case p521 = "P-521"

    /// The size in bytes of one coordinate, and of each of r and s in a raw ECDSA signature.
    public var coordinateByteCount: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// OpenSSL's group name.
    var openSSLGroupName: String {
        switch self {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        case .p521: "secp521r1"
        }
    }

    /// The curve for an OpenSSL group name (either of its aliases), or `nil` for any other group.
    init?(openSSLGroupName name: String) {
        switch name {
        case "prime256v1", "P-256", "secp256r1": self = .p256
        case "secp384r1", "P-384": self = .p384
        case "secp521r1", "P-521": self = .p521
        default: return nil
        }
    }
}
