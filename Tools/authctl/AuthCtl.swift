import ArgumentParser

/// `authctl`: audit and operations on an authd data directory (safe while authd runs: LMDB allows readers in
/// other processes, and writes wait for the single writer lock), or with `--store` on a node's replica of the
/// shared log (``DataOptions``).
@main
struct AuthCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authctl",
        abstract: "Audit and operate an authd event log.",
        subcommands: [
            Replay.self, Export.self, Investigate.self, State.self, Head.self, Verify.self, Rebuild.self, Stats.self,
            Backup.self, Prune.self, Keys.self, SchemaExamples.self,
            Users.self,
            Roles.self, Access.self, WhoCan.self,
            Migrate.self,
        ]
    )
}
