import ArgumentParser
import AuditKit
import Foundation
import AuthCrypto

/// `authctl migrate`: moves a log between the embedded LMDB engine and the PostgreSQL engine
/// (``MigrationToShared``, ``MigrationFromShared``).
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a log between engines: --from-data DIR --to postgres://…, or --from postgres://… --to-data DIR.",
        discussion: """
            To PostgreSQL: the target shared log must be empty; every event's hash is re-verified while reading, the \\
            whole log is written in one PostgreSQL transaction, and a fresh replica bootstrapped from it must have \\
            the source's head and projection digest and equal a rebuild from its log. From PostgreSQL: DIR must not \\
            hold a log; a replica is bootstrapped into DIR, detached from the shared log, and verified like \\
            `authctl verify --data DIR`. Stop authd on the source first. Keys are not copied: copy the source \\
            directory's keys/ to each node (or to DIR). Passwords via PGPASSWORD or PGPASSFILE, never in the URL.
            """)

    @Option(help: "The standalone log to copy (an authd data directory).") var fromData: String?
    @Option(help: "The empty shared log to fill: postgres://USER@HOST:PORT/DB.") var to: String?
    @Option(help: "The shared log to copy: postgres://USER@HOST:PORT/DB.") var from: String?
    @Option(help: "The new directory to copy the shared log into (must not hold a log).") var toData: String?

    func validate() throws {
        guard (fromData != nil && to != nil && from == nil && toData == nil) || (from != nil && toData != nil && fromData == nil && to == nil) else {
            throw ValidationError("give either --from-data DIR --to postgres://… or --from postgres://… --to-data DIR")
        }
        do {
            try SharedStore.validate(url: to ?? from ?? "")
        } catch let error as AuditError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let report: MigrationReport
        do {
            if let fromData, let to {
                report = try MigrationToShared.run(from: fromData, to: to)
            } else if let from, let toData {
                report = try MigrationFromShared.run(from: from, to: toData)
            } else {
                throw ValidationError("give either --from-data DIR --to postgres://… or --from postgres://… --to-data DIR")
            }
        } catch let error as MigrationError {
            writeLine("migrate: REFUSED: \(error.description)")
            throw ExitCode(1)
        }
        writeLine("events: \(report.events)")
        writeLine("commits: \(report.commits)")
        writeLine("bytes: \(report.bytes)")
        writeLine("head: \(report.head)")
        writeLine("digest: \(Encoding.hex(report.digest)) (source == copy == rebuilt)")
        writeLine("seconds: \(String(format: "%.3f", report.seconds))")
        writeLine("keys: not copied; copy the source directory's keys/ to \(toData.map { "\($0)/keys/" } ?? "each node's data directory")")
    }
}
