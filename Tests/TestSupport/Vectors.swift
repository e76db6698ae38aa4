import Foundation

/// Loads the shared test-vector files from ``Paths/vectors`` (`../shared/vectors` beside the repository root).
/// A missing folder, file or field throws, failing the test with a message that names it — never a silent skip.
public enum Vectors {
    /// Why a vector could not be read.
    public struct Missing: Error, CustomStringConvertible {
        /// What is missing.
        public let description: String
        /// Creates the error.
        public init(description: String) { self.description = description }
    }

    /// The vector folder.
    public static var directory: URL { Paths.vectors }

    /// The top-level object of a vector file.
    public static func load(_ name: String) throws -> [String: Any] {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "test-vector file missing or unreadable: \(url.path)")
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Missing(description: "test-vector file is not a JSON object: \(url.path)")
        }
        return object
    }

    /// The array `key` (default `cases`) of a vector file's top-level object, as objects; must not be empty.
    public static func cases(_ name: String, _ key: String = "cases") throws -> [[String: Any]] {
        guard let cases = try load(name)[key] as? [[String: Any]], !cases.isEmpty else {
            throw Missing(description: "\(name) has no non-empty '\(key)' array")
        }
        return cases
    }
}

/// Typed access to vector fields; a missing or mistyped field throws with its name.
extension Dictionary where Key == String, Value == Any {
    private var caseName: String { "\(self["id"] ?? self["tcId"] ?? self["name"] ?? "?")" }

    /// A string field.
    public func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else {
            throw Vectors.Missing(description: "field '\(key)' missing or not a string in \(caseName)")
        }
        return value
    }

    /// An integer field.
    public func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else {
            throw Vectors.Missing(description: "field '\(key)' missing or not an integer in \(caseName)")
        }
        return value
    }

    /// An object field.
    public func object(_ key: String) throws -> [String: Any] {
        guard let value = self[key] as? [String: Any] else {
            throw Vectors.Missing(description: "field '\(key)' missing or not an object in \(caseName)")
        }
        return value
    }
}
