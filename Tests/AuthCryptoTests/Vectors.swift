import AuthCrypto
import Foundation
import TestSupport

/// Vector fields in AuthCrypto's encodings.
extension Dictionary where Key == String, Value == Any {
    func hex(_ key: String) throws -> [UInt8] {
        guard let bytes = Encoding.fromHex(try string(key)) else { throw Vectors.Missing(description: "field '\(key)' is not hex") }
        return bytes
    }
}
/// Decodes hex typed into a test or read from a vector.
func hexBytes(_ text: String) throws -> [UInt8] {
    guard let bytes = Encoding.fromHex(text) else { throw Vectors.Missing(description: "not hex: \(text.prefix(40))") }
    return bytes
}

/// Decodes base64url from a vector (strict: the vectors are canonical).
func base64URL(_ text: String) throws -> [UInt8] {
    guard let bytes = Encoding.fromBase64URL(text) else { throw Vectors.Missing(description: "not base64url: \(text.prefix(40))") }
    return bytes
}

/// Decodes standard base64 (with or without padding) from a fixture.
func base64(_ text: String) throws -> [UInt8] {
    var padded = text
    while padded.count % 4 != 0 { padded += "=" }
    guard let data = Data(base64Encoded: padded) else { throw Vectors.Missing(description: "not base64: \(text.prefix(40))") }
    return Array(data)
}
