import ArgumentParser

/// `authctl export --format jsonl`: the whole log (or a filter) as JSON lines.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export events as JSON lines (same filters as replay).")

    @OptionGroup var options: DataOptions
    @Option(help: "Output format (jsonl).") var format = "jsonl"
    @Option(help: "User id or email.") var user: String?
    @Option(name: .customLong("type"), help: "Event type or prefix; repeatable.") var types: [String] = []
    @Option(help: "From this seq.") var fromSeq: UInt64?
    @Option(help: "Up to this seq.") var toSeq: UInt64?

    func run() throws {
        guard format == "jsonl" else { throw ValidationError("only --format jsonl is supported") }
        var arguments: [String] = ["--data", options.data, "--format", "json"]
        if let user { arguments += ["--user", user] }
        for type in types { arguments += ["--type", type] }
        if let fromSeq { arguments += ["--from-seq", String(fromSeq)] }
        if let toSeq { arguments += ["--to-seq", String(toSeq)] }
        let replay = try Replay.parse(arguments)
        try replay.run()
    }
}
