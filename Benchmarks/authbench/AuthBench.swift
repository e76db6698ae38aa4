import ArgumentParser

/// `authbench`: benchmarks that print `key: value` figures, and the child process of the crash test.
@main
struct AuthBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authbench",
        abstract: "Benchmarks for the event log and the auth server (prints key: value lines).",
        subcommands: [
            LogBenchmark.self, AuditBenchmark.self, HTTPBenchmark.self, GenerateLog.self, CrashWriter.self, HoldReader.self,
            AuthzBenchmark.self,
            StoreBenchmark.self,
        ]
    )
}
