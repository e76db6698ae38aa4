import ArgumentParser
import Foundation

/// `authctl backup DIR`: a consistent, compacted copy (`mdb_env_copy2`), verifiable with `authctl verify`.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent compacted copy of the log to DIR.")

    @OptionGroup var options: DataOptions

    @Argument(help: "Target directory (created; must be empty).")
    var directory: String

    func run() throws {
        let environment = try options.openReadOnly()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard (try FileManager.default.contentsOfDirectory(atPath: directory)).isEmpty else {
            throw ValidationError("\(directory) is not empty")
        }
        try environment.copy(to: directory, compact: true)
        print("backup: \(directory)")
        print("head: \(try readHead(environment))")
    }
}
