import ArgumentParser
import AuditKit
import AuthCore
import EventLog

/// `authctl state --user ID --at TIME|SEQ`: what was true at that instant, rebuilt from the user's events only.
struct State: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a user's sessions and refresh families as they were at a time or seq.")

    @OptionGroup var options: DataOptions
    @Option(help: "User id or email.") var user: String
    @Option(help: "RFC 3339 time, relative time (2h) or a seq number.") var at: String
    @Option(help: "table (default) or json.") var format: Replay.OutputFormat = .table

    func run() throws {
        let reader = try openReader(options)
        let vault = try openVault(options, reader)
        let snapshot = try reader.read { context -> UserSnapshot in
            let userID = try resolveUser(user, in: context, vault: vault)
            let seqLimit: UInt64? = at.allSatisfy(\.isNumber) ? UInt64(at) : nil
            let timeLimit: Timestamp? = seqLimit == nil ? try parseTime(at) : nil
            return try UserSnapshot.build(userID: userID, seq: seqLimit, time: timeLimit, in: context, vault: vault)
        }
        writeLine(format == .json ? snapshot.json : snapshot.text)
    }
}
