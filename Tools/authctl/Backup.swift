import ArgumentParser
import Foundation

/// `authctl backup DIR`: a consistent, compacted copy (`mdb_env_copyfd2`), verifiable with `authctl verify`.
///
/// The copy holds every event (and sealed secrets): the directory is made 0700 and `data.mdb` is created 0600
/// (exclusively, whatever the umask), like the live data directory.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent compacted copy of the log to DIR (directory 0700, data.mdb 0600).",
        discussion: """
            With --store it copies this node's replica, caught up first: still a replica of that shared log (a \
            node's directory that catches up when opened). For a standalone copy of a shared log use \
            `authctl migrate --from postgres://… --to-data DIR`.
            """)

    @OptionGroup var options: DataOptions

    @Argument(help: "Target directory (created 0700; if it exists it must be empty, and is set to 0700).")
    var directory: String

    func run() throws {
        let environment = try options.openReadOnly()
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("\(directory) exists and is not a directory") }
            guard try files.contentsOfDirectory(atPath: directory).isEmpty else {
                throw ValidationError("\(directory) is not empty")
            }
        } else {
            try files.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard chmod(directory, 0o700) == 0 else {
            throw ValidationError("cannot set \(directory) to mode 0700: \(String(cString: strerror(errno)))")
        }
        try environment.copy(toFile: directory + "/data.mdb", mode: 0o600, compact: true)
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        writeLine("backup: \(directory)")
        writeLine("head: \(try readHead(environment))")
    }
}
