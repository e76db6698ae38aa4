import AuthCrypto
import TestSupport

/// A missing or mistyped field in a shared vector file.
struct VectorError: Error, CustomStringConvertible {
    let description: String
}

/// Loads a top-level JSON object from `../shared/vectors`.
func vectorObject(_ name: String) throws -> [String: Any] {
    guard let object = try Paths.vectorJSON(name) as? [String: Any] else { throw VectorError(description: "\(name) is not a JSON object") }
    return object
}

/// Typed access to vector fields; a missing or mistyped field throws with its name.
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else { throw VectorError(description: "field '\(key)' missing or not a string") }
        return value
    }

    func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else { throw VectorError(description: "field '\(key)' missing or not an integer") }
        return value
    }

    func hex(_ key: String) throws -> [UInt8] {
        guard let bytes = Encoding.fromHex(try string(key)) else { throw VectorError(description: "field '\(key)' is not hex") }
        return bytes
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else { throw VectorError(description: "field '\(key)' missing or not an object") }
        return value
    }

    func objects(_ key: String) throws -> [[String: Any]] {
        guard let value = self[key] as? [[String: Any]], !value.isEmpty else {
            throw VectorError(description: "field '\(key)' missing or not a non-empty array of objects")
        }
        return value
    }
}
