import ArgumentParser
import EventLog
import Foundation

/// `authctl prune [--drop]`: lists, and with `--drop` removes, projection tables no current projection uses (older
/// versions left by a version bump, with their checkpoints).
struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List (and with --drop remove) projection tables of older projection versions.",
        discussion: """
            A projection version bump builds the new tables from the log when authd starts and leaves the old ones: \
            nothing reads them, but they take space and are copied by backups. Without --drop this only lists them. \
            With --drop they and their checkpoints are removed in one write transaction (safe while authd runs: it \
            never opens them). The space is reused by LMDB for new pages; `authctl backup` writes a compacted copy. \
            With --store it lists and drops the stale tables of this node's replica only (each node prunes its own).
            """)

    @OptionGroup var options: DataOptions

    @Flag(help: "Remove the listed tables and checkpoints.")
    var drop = false

    func run() throws {
        let store = drop ? try options.openStore() : nil
        defer { store?.close() }
        let environment = try store?.environment ?? options.openReadOnly()
        let stale = try StaleTables.find(environment: environment, projections: options.projections)
        for table in stale.databases { writeLine("stale_table: \(table.name) (\(table.entries) entries)") }
        for key in stale.checkpoints { writeLine("stale_checkpoint: \(key)") }
        guard !stale.isEmpty else {
            writeLine("stale: none")
            return
        }
        if drop {
            try stale.drop(environment: environment)
            writeLine("dropped: \(stale.databases.count) tables, \(stale.checkpoints.count) checkpoints")
        } else {
            writeLine("kept: run with --drop to remove them")
        }
    }
}
