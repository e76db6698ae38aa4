import AuthCrypto
import Foundation
import JOSE
import Testing

/// Loads the shared test-vector files from `../shared/vectors` beside the repository root.
enum Vectors {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// `<repository root>/../shared/vectors`, with the root found from this file's path.
    static let directory: URL = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // JOSETests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // repository root
        return root.deletingLastPathComponent().appendingPathComponent("shared/vectors", isDirectory: true)
    }()

    /// The top-level object of a vector file; throws (failing the test) if the folder or file is missing.
    static func load(_ name: String) throws -> [String: Any] {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: directory.path) else {
            throw Missing(description: "test-vector folder missing: \(directory.path) (expected ../shared/vectors beside the repository root)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "test-vector file missing or unreadable: \(url.path)")
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Missing(description: "test-vector file is not a JSON object: \(url.path)")
        }
        return object
    }

    /// The `cases` array of a vector file.
    static func cases(_ name: String) throws -> [[String: Any]] {
        guard let cases = try load(name)["cases"] as? [[String: Any]], !cases.isEmpty else {
            throw Missing(description: "\(name) has no non-empty 'cases' array")
        }
        return cases
    }

    /// A Foundation JSON object from a vector, converted to our `JSONValue` (vectors hold no duplicates).
    static func jsonValue(_ object: Any) throws -> JSONValue {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONValue(parsing: Array(data))
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else {
            throw Vectors.Missing(description: "field '\(key)' missing or not a string in \(self["id"] ?? self["tcId"] ?? "?")")
        }
        return value
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else { throw Vectors.Missing(description: "field '\(key)' missing or not an object") }
        return value
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
