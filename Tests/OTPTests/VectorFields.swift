import AuthCrypto
import TestSupport

/// Hex fields of the shared vectors (TestSupport's `Vectors` gives strings, integers and objects).
extension Dictionary where Key == String, Value == Any {
    /// The bytes of hex field `key`; a missing or malformed field throws with its name.
    func hexBytes(_ key: String) throws -> [UInt8] {
        guard let bytes = Encoding.fromHex(try string(key)) else { throw Vectors.Missing(description: "field '\(key)' is not hex") }
        return bytes
    }
}
