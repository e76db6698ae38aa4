import AuthCore
import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// The permission bits of `path` (not following a symlink).
private func mode(_ path: String) -> mode_t {
    var info = stat()
    #expect(lstat(path, &info) == 0, "stat \(path)")
    return info.st_mode & 0o7777
}

@Suite("authctl backup", .serialized)
struct AuthctlBackupTests {
    @Test("backup creates its directory 0700 and data.mdb 0600 even under a permissive umask, and the copy verifies")
    func backupIsPrivate() throws {
        let dir = try TemporaryDirectory("backup-source")
        let target = try TemporaryDirectory("backup-target")
        defer {
            dir.remove()
            target.remove()
        }
        try AuthctlOutputTests.makeLog(dir)
        let nested = target.path + "/nightly/2026-12-07"
        // A permissive umask in the caller must not widen the copy: run authctl through a shell with umask 000.
        let run = try ToolRun.run("/bin/sh", ["-c", "umask 000 && exec \"$0\" backup --data \"$1\" \"$2\"", Paths.executable("authctl"), dir.path, nested])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(mode(nested) == 0o700)
        #expect(mode(nested + "/data.mdb") == 0o600)

        // An existing empty directory is tightened to 0700 too.
        let existing = target.path + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let second = try ToolRun.run("authctl", ["backup", "--data", dir.path, existing])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(mode(existing) == 0o700)
        #expect(mode(existing + "/data.mdb") == 0o600)
        // A non-empty directory is refused.
        let third = try ToolRun.run("authctl", ["backup", "--data", dir.path, existing])
        #expect(third.status != 0)

        let verify = try ToolRun.run("authctl", ["verify", "--data", nested])
        #expect(verify.status == 0, "\(verify.output)\(verify.stderr)")
        #expect(verify.output.contains("chain: ok"))
    }
}
