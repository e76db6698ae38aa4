import ArgumentParser
import AuthCrypto
import EventLog
import Foundation
import ProjectionRebuild

/// `authctl rebuild`: rebuilds every projection from the log and swaps it in atomically (online).
struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild all projections from the log (online: appends wait only for the final swap).",
        discussion: """
            The log is folded into memory from a read snapshot while authd keeps appending; then one write \
            transaction folds the events appended meanwhile, replaces every projection table and commits. \
            Readers see the old state until that commit and the rebuilt state after it. Live tables are first \
            checked against the rebuilt state (order-independent fingerprints); only a table that differs is \
            written: its differences, or, if it is empty or differs a lot (or with --rewrite, every table), its \
            whole rebuilt state, bulk-loaded. The result is the same.
            """)

    @OptionGroup var options: DataOptions

    @Flag(help: "Empty and bulk-load every table instead of writing only the differences.")
    var rewrite = false

    func run() throws {
        let store = try options.openStore()
        defer { store.close() }
        let before = try Digest.live(store: store)
        let progress = ProgressReporter("rebuild")
        let started = MonotonicClock.seconds()
        let report = try Rebuilder.rebuild(store: store, mode: rewrite ? .rewrite : .differences, progress: { progress.update($0, $1) })
        let seconds = MonotonicClock.seconds() - started
        let after = try Digest.live(store: store)
        writeLine("events: \(report.events)")
        writeLine("head: \(report.head)")
        writeLine("seconds: \(String(format: "%.3f", seconds))")
        writeLine("events_per_second: \(Int(Double(report.events) / max(seconds, 1e-9)))")
        writeLine("tables_differing: \(report.differingTables.count) of \(report.entries.count)")
        writeLine("tables_rewritten: \(report.rewrittenTables.count) of \(report.entries.count)")
        writeLine("entries_patched: \(report.patchedEntries)")
        writeLine("digest_before: \(Encoding.hex(before))")
        writeLine("digest_after: \(Encoding.hex(after))")
        writeLine("changed: \(before != after)")
    }
}
