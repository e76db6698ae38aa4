import AuthCrypto
import Foundation
import Testing

/// Loads the shared test-vector files from `../shared/vectors` beside the repository root.
enum Vectors {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// `<repository root>/../shared/vectors`, with the root found from this file's path.
    static let directory: URL = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // AuthCryptoTests
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

    /// The array `key` of a vector file's top-level object, as objects.
    static func cases(_ name: String, _ key: String = "cases") throws -> [[String: Any]] {
        guard let cases = try load(name)[key] as? [[String: Any]], !cases.isEmpty else {
            throw Missing(description: "\(name) has no non-empty '\(key)' array")
        }
        return cases
    }
}

/// Typed access to vector fields; a missing or mistyped field fails the test with its name.
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else { throw Vectors.Missing(description: "field '\(key)' missing or not a string in \(self["id"] ?? self["tcId"] ?? "?")") }
        return value
    }

    func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else { throw Vectors.Missing(description: "field '\(key)' missing or not an integer in \(self["id"] ?? "?")") }
        return value
    }

    func hex(_ key: String) throws -> [UInt8] {
        guard let bytes = Encoding.fromHex(try string(key)) else { throw Vectors.Missing(description: "field '\(key)' is not hex") }
        return bytes
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else { throw Vectors.Missing(description: "field '\(key)' missing or not an object") }
        return value
    }
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
