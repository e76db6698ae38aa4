import ArgumentParser
import AuditKit
import AuthCore
import EventLog

/// `authctl access --user ID|EMAIL --at TIME|SEQ`: the roles a user held then, and their permissions.
struct Access: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the roles (who granted them, why) and permissions a user held at a time or seq, from the log.")

    @OptionGroup var options: DataOptions
    @Option(help: "User id or email.") var user: String
    @Option(help: "RFC 3339 time, relative time (2h) or a seq number (default: now).") var at: String?
    @Option(help: "table (default) or json.") var format: Replay.OutputFormat = .table

    func run() throws {
        let reader = try openReader(options)
        let vault = try openVault(options, reader)
        let report = try reader.read { context -> AccessReport in
            let userID = try resolveUser(user, in: context, vault: vault)
            let (seq, time) = try instant(at)
            return AccessReport(userID: userID, instant: try AuthzAtInstant.build(seq: seq, time: time, in: context, vault: vault))
        }
        writeLine(format == .json ? report.json : report.text)
    }
}

/// `authctl who-can --permission P --at TIME|SEQ`: the users whose roles granted P then.
struct WhoCan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who-can", abstract: "Show the users whose roles granted a permission at a time or seq, with each grant.")

    @OptionGroup var options: DataOptions
    @Option(help: "A permission such as posts:update.") var permission: String
    @Option(help: "RFC 3339 time, relative time (2h) or a seq number (default: now).") var at: String?
    @Option(help: "table (default) or json.") var format: Replay.OutputFormat = .table

    func validate() throws {
        guard PermissionSet.isValidPermission(permission) else { throw ValidationError("--permission must look like posts:update") }
    }

    func run() throws {
        let reader = try openReader(options)
        let vault = try openVault(options, reader)
        let report = try reader.read { context in
            let (seq, time) = try instant(at)
            return WhoCanReport(permission: permission, instant: try AuthzAtInstant.build(seq: seq, time: time, in: context, vault: vault))
        }
        writeLine(format == .json ? report.json : report.text)
    }
}

/// `--at` as a seq (digits) or a time; neither for now.
func instant(_ at: String?) throws -> (UInt64?, Timestamp?) {
    guard let at else { return (nil, nil) }
    if at.allSatisfy(\.isNumber), let seq = UInt64(at) { return (seq, nil) }
    return (nil, try parseTime(at))
}
