import Foundation

/// Where tests find the repository, the shared vectors and the built executables.
public enum Paths {
    /// The repository root (computed from this file's location).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/vectors` relative to the repository root. Traps with a clear message if missing: the vectors are
    /// part of the test suite, and a missing folder must fail the run, not skip tests.
    public static var vectors: URL {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")
        precondition(
            FileManager.default.fileExists(atPath: url.path),
            "test vectors missing: expected \(url.path) (../shared/vectors relative to the repository root)")
        return url
    }

    /// Reads a JSON vector file from ``vectors`` (e.g. `"totp_rfc6238.json"` or `"webauthn_vectors/x.json"`).
    public static func vectorJSON(_ name: String) throws -> Any {
        let url = vectors.appendingPathComponent(name)
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// The built executable `name` (authd, authctl, authbench): next to the test bundle, or in `.build/debug`.
    /// Traps with a clear message if it is not built.
    public static func executable(_ name: String) -> String {
        var candidates: [String] = []
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(bundleDirectory.appendingPathComponent(name).path)
        candidates.append(bundleDirectory.deletingLastPathComponent().appendingPathComponent(name).path)
        for url in Bundle.allBundles.map(\.bundleURL) {
            candidates.append(url.deletingLastPathComponent().appendingPathComponent(name).path)
        }
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/\(name)").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        preconditionFailure("executable \(name) is not built; looked in \(candidates)")
    }
}
