import AuthCore
import EventLog
import Foundation
import TestSupport
import Testing

@Suite("authctl argument errors", .serialized)
struct AuthctlArgumentTests {
    @Test("bad --since/--until/--at/--from-seq values exit non-zero with a message instead of crashing")
    func badArgumentsFailCleanly() throws {
        let dir = try TemporaryDirectory("authctl-args")
        defer { dir.remove() }
        try AuthctlOutputTests.makeLog(dir)
        let cases: [[String]] = [
            ["replay", "--since", "2026-01-01T00:00:00+05"],
            ["replay", "--since", "99999999999999d"],
            ["replay", "--until", "9223372036854775807s"],
            ["replay", "--from-seq", "0"],
            ["replay", "--from-seq", "5", "--to-seq", "2"],
            ["export", "--from-seq", "0"],
            ["state", "--user", "usr_hostile", "--at", "99999999999999d"],
            ["state", "--user", "usr_hostile", "--at", "2026-01-01T00:00:00+05"],
        ]
        for arguments in cases {
            let run = try ToolRun.run("authctl", arguments + ["--data", dir.path])
            #expect(!run.signaled, "\(arguments) crashed: \(run.stderr)")
            #expect(run.status != 0, "\(arguments) succeeded")
            #expect(run.stderr.contains("Error:"), "\(arguments): \(run.stderr)")
        }
        let good = try ToolRun.run("authctl", ["replay", "--since", "2026-01-01T00:00:00+05:00", "--from-seq", "1", "--data", dir.path])
        #expect(good.status == 0, "\(good.stderr)")
    }
}
