import ArgumentParser
import AuthCore
import EventLog
import Foundation
import LMDB
import ProjectionRebuild

/// The `--data` option shared by every subcommand.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The authd data directory (env AUTHD_DATA).")
    var data: String = ProcessInfo.processInfo.environment["AUTHD_DATA"] ?? "./data"

    /// Every projection, the stream index included.
    var projections: [any Projection] { [StreamIndex()] + DomainProjections.all }

    /// Opens the environment read-only; fails clearly if there is no log there.
    func openReadOnly() throws -> Environment {
        guard FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw ValidationError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        var options = Environment.Options()
        options.readOnly = true
        return try Environment(path: data, options: options)
    }

    /// Opens the store for writing (rebuild, prune --drop, keys rotate). Refuses first, without writing anything, if
    /// a live authd of other projection versions serves the log (``RunningServer``).
    func openStore() throws -> EventStore {
        guard FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw ValidationError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        do {
            try RunningServer.checkCompatible(environment: try openReadOnly(), projections: projections)
        } catch let refusal as RunningServer.Refusal {
            throw ValidationError(refusal.description)
        }
        let store = try EventStore(path: data, projections: DomainProjections.all, options: .rebuildingNewProjections)
        // Events it appends seal their users' personal data like authd's.
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: data))
        return store
    }
}

/// Reads the head record.
func readHead(_ environment: Environment) throws -> LogHead { try LogHead.read(environment: environment) }
