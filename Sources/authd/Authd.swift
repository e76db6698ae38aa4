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
            variable, which wins over the default. Run `authd serve --help` for details and defaults, or read \
            docs/CONFIG.md (`authd config-doc`).

            \(AuthdSettings.variableList)
            """,
        subcommands: [Serve.self, ConfigDoc.self]
    )
}

/// `authd config-doc`: prints docs/CONFIG.md, the table of every setting, from the settings table.
struct ConfigDoc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-doc",
        abstract: "Print docs/CONFIG.md (every setting of `authd serve`) from the settings table.",
        discussion: "Regenerate the page with: swift run authd config-doc > docs/CONFIG.md"
    )

    func run() {
        print(AuthdSettings.markdown, terminator: "")
    }
}
