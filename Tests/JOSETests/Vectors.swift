import AuthCrypto
import Foundation
import JOSE
import TestSupport
import Testing

extension Vectors {
    /// A Foundation JSON object from a vector, converted to our `JSONValue` (vectors hold no duplicates).
    static func jsonValue(_ object: Any) throws -> JSONValue {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONValue(parsing: Array(data))
    }
}

/// Builds a compact JWS by hand, for headers and claims `JWSSigner` would never produce.
func forgeToken(header: String, claims: String, key: SigningKey) throws -> String {
    let input = Encoding.base64URL(Array(header.utf8)) + "." + Encoding.base64URL(Array(claims.utf8))
    return input + "." + Encoding.base64URL(try key.sign(Array(input.utf8)))
}

/// The error a throwing verification produced, or `nil` if it succeeded.
func jwtError<T>(_ body: () throws(JWTError) -> T) -> JWTError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
