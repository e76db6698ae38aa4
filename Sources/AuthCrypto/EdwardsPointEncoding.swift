/// Checks of encoded Ed25519 and Ed448 public keys (RFC 8032 §5.1.3, §5.2.3) that OpenSSL's raw-key import does
/// not make: the encoding must be canonical, and the point must not be of small order.
///
/// A small-order public key `A` (order dividing the cofactor: 8 for Ed25519, 4 for Ed448) makes `[k]A` one of a
/// handful of points whatever the message, so one fixed signature can verify for every message — e.g. `A` = the
/// identity (`01‖0^31`) with `R` = identity and `S` = 0. Such a key proves nothing about its holder and is refused.
/// The small-order points are exactly the cofactor-torsion subgroup (8 points on Ed25519, 4 on Ed448), so after
/// refusing every non-canonical encoding (`y ≥ p`) a check of `y` against their y-coordinates (whatever the x-sign
/// bit, which also refuses the non-canonical "-0" encodings of the x = 0 points) is complete.
enum EdwardsPointEncoding {
    /// Ed25519 p = 2^255 − 19, little-endian.
    private static let ed25519P: [UInt8] = [0xED] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]

    /// The y-coordinates (little-endian, sign bit clear) of the 8 small-order Ed25519 points: 0 (order 4, two
    /// points), 1 (the identity), p − 1 (order 2), and the two y of the four points of order 8.
    private static let ed25519SmallOrderY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [0x01] + [UInt8](repeating: 0, count: 31),
        [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        [
            0x26, 0xE8, 0x95, 0x8F, 0xC2, 0xB2, 0x27, 0xB0, 0x45, 0xC3, 0xF4, 0x89, 0xF2, 0xEF, 0x98, 0xF0,
            0xD5, 0xDF, 0xAC, 0x05, 0xD3, 0xC6, 0x33, 0x39, 0xB1, 0x38, 0x02, 0x88, 0x6D, 0x53, 0xFC, 0x05,
        ],
        [
            0xC7, 0x17, 0x6A, 0x70, 0x3D, 0x4D, 0xD8, 0x4F, 0xBA, 0x3C, 0x0B, 0x76, 0x0D, 0x10, 0x67, 0x0F,
            0x2A, 0x20, 0x53, 0xFA, 0x2C, 0x39, 0xCC, 0xC6, 0x4E, 0xC7, 0xFD, 0x77, 0x92, 0xAC, 0x03, 0x7A,
        ],
    ]

    /// Ed448 p = 2^448 − 2^224 − 1, little-endian (56 bytes).
    private static let ed448P: [UInt8] = [UInt8](repeating: 0xFF, count: 28) + [0xFE] + [UInt8](repeating: 0xFF, count: 27)

    /// The y-coordinates of the 4 small-order Ed448 points: 0 (order 4, x = ±1), 1 (identity), p − 1 (order 2).
    private static let ed448SmallOrderY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 56),
        [0x01] + [UInt8](repeating: 0, count: 55),
        [0xFE] + [UInt8](repeating: 0xFF, count: 27) + [0xFE] + [UInt8](repeating: 0xFF, count: 27),
    ]

    /// Throws `.invalidKey` unless `raw` (32 bytes) is a canonical encoding of a point not of small order.
    static func checkEd25519(_ raw: [UInt8]) throws(CryptoError) {
        guard raw.count == 32 else { throw CryptoError(.invalidKey, "Ed25519 public key must be 32 bytes") }
        var y = raw
        y[31] &= 0x7F
        guard isLess(y, than: ed25519P) else { throw CryptoError(.invalidKey, "Ed25519 public key is not canonically encoded (y ≥ p)") }
        guard !ed25519SmallOrderY.contains(y) else { throw CryptoError(.invalidKey, "Ed25519 public key is a small-order point") }
    }

    /// Throws `.invalidKey` unless `raw` (57 bytes) is a canonical encoding of a point not of small order.
    static func checkEd448(_ raw: [UInt8]) throws(CryptoError) {
        guard raw.count == 57 else { throw CryptoError(.invalidKey, "Ed448 public key must be 57 bytes") }
        guard raw[56] & 0x7F == 0 else {
            throw CryptoError(.invalidKey, "Ed448 public key is not canonically encoded (last octet other than the sign bit)")
        }
        let y = Array(raw[0..<56])
        guard isLess(y, than: ed448P) else { throw CryptoError(.invalidKey, "Ed448 public key is not canonically encoded (y ≥ p)") }
        guard !ed448SmallOrderY.contains(y) else { throw CryptoError(.invalidKey, "Ed448 public key is a small-order point") }
    }

    /// Whether little-endian `a` < `b` (same length).
    private static func isLess(_ a: [UInt8], than b: [UInt8]) -> Bool {
        for index in stride(from: a.count - 1, through: 0, by: -1) where a[index] != b[index] {
            return a[index] < b[index]
        }
        return false
    }
}
