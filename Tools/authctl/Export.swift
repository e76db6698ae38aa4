import ArgumentParser
import AuditKit

/// `authctl export --format jsonl`: the whole log (or a filter) as JSON lines; `authctl export --user EMAIL|ID`
/// alone: the user's data export, as `GET /v1/me/export` gives it (``AccountOperations/export(_:in:)``).
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export events as JSON lines (same filters as replay), or with --user alone a user's data export.",
        discussion: """
            With --user and no other option: one JSON object, the account and every event of the user's stream decoded, \
            without hashes of secrets or sealed blobs (what the user gets from GET /v1/me/export). With --format jsonl \
            or a filter: the raw events as JSON lines.
            """)

    @OptionGroup var options: DataOptions
    @Option(help: "Output format (jsonl); default: jsonl, or the user's data export with --user alone.") var format: String?
    @Option(help: "User id or email.") var user: String?
    @Option(name: .customLong("type"), help: "Event type or prefix; repeatable.") var types: [String] = []
    @Option(help: "From this seq.") var fromSeq: UInt64?
    @Option(help: "Up to this seq.") var toSeq: UInt64?

    func run() throws {
        if let user, format == nil, types.isEmpty, fromSeq == nil, toSeq == nil {
            let reader = try openReader(options)
            let vault = try openVault(options, reader)
            writeLine(try auditing { try reader.read { try AccountOperations.export(user, in: $0, vault: vault) } })
            return
        }
        guard format ?? "jsonl" == "jsonl" else { throw ValidationError("only --format jsonl is supported") }
        var arguments: [String] = ["--data", options.data, "--format", "json"]
        if let store = options.store { arguments += ["--store", store] }
        if let user { arguments += ["--user", user] }
        for type in types { arguments += ["--type", type] }
        if let fromSeq { arguments += ["--from-seq", String(fromSeq)] }
        if let toSeq { arguments += ["--to-seq", String(toSeq)] }
        let replay = try Replay.parse(arguments)
        try replay.run()
    }
}
