import ArgumentParser
import AuthHTTP

/// The `authd` command: the authentication server.
@main
struct Authd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "Authentication server (event-sourced on LMDB).",
        discussion: """
            Every `serve` option can also be set through an environment variable; a flag wins over the \
            variable, which wins over the default. Run `authd serve --help` for details and defaults.

            \(ServerSetting.allCases.map { "  \($0.environmentVariable.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.flag)" }.joined(separator: "\n"))
            """,
        subcommands: [Serve.self]
    )
}
