import ArgumentParser
import AuthCore
import EventLog
import Foundation

/// `authbench gen N --data DIR`: writes a realistic synthetic log.
struct GenerateLog: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gen", abstract: "Write a synthetic log of N events.")

    @Argument(help: "Number of events.")
    var count: Int

    @Option(help: "Data directory.")
    var data = "./data"

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Flag(help: "Do not fsync each commit; sync once at the end. For benchmark data only.")
    var noSync = false

    func run() throws {
        let store = try EventStore(path: data, projections: DomainProjections.all, clock: ManualClock(), options: .benchmarkData(noSync: noSync))
        try installVault(store, directory: data)
        let seconds = try fillSynthetic(store, count: count, seed: seed, progress: true)
        if noSync { try store.environment.sync() }
        print("generated: \(count)")
        report("generate_eps", Double(count) / seconds)
        print("head: \(try store.head())")
        store.close()
    }
}
