/// base64url (RFC 4648 §5) without padding, for ``CBORValue/jsonString()`` and diagnostics.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes` without `=` padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 {
                group <<= 8
                if offset < count { group |= UInt32(bytes[index + offset]) }
            }
            for position in 0...count {
                output.append(alphabet[Int(group >> UInt32(18 - 6 * position) & 63)])
            }
            index += count
        }
        return String(decoding: output, as: UTF8.self)
    }
}
