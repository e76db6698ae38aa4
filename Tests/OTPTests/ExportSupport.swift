import Foundation

/// Writes JSON files for the Python cross-checks (`Tests/python`) into the folder named by an
/// environment variable; does nothing when it is unset, as in a plain `swift test`.
enum Export {
    /// The folder named by `variable`, created if needed, or `nil` when the variable is unset or empty.
    static func directory(_ variable: String) throws -> URL? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        let url = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `object` as pretty, key-sorted JSON to `name` in `directory`.
    static func write(_ object: Any, named name: String, in directory: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: directory.appendingPathComponent(name), options: .atomic)
    }

    /// Lowercase hex.
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
