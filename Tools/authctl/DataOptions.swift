import ArgumentParser
import AuditKit
import AuthCore
import EventLog
import Foundation
import LMDB
import ProjectionRebuild

/// The `--data` and `--store` options shared by every subcommand.
///
/// Without `--store`, `--data` is the log (the embedded LMDB engine). With `--store postgres://…` (the PostgreSQL
/// engine), `--data` is the node's own directory: its `keys/` and its LMDB replica of the shared log. Read-only
/// commands bring the replica up to date first and then read it; writing commands open the store with the shared
/// log, so their events go through it.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The authd data directory (env AUTHD_DATA); with --store, the node's keys/ and replica.")
    var data: String = ProcessInfo.processInfo.environment["AUTHD_DATA"] ?? "./data"

    @Option(
        name: .customLong("store"),
        help: """
            The shared log: postgres://USER@HOST:PORT/DB (env AUTHD_STORE). Password via PGPASSWORD or a password \
            file (PGPASSFILE), never the flag.
            """)
    var storeOption: String?

    /// The shared log's URL (`--store`, else `AUTHD_STORE`), nil for the embedded engine.
    var store: String? {
        if let storeOption { return storeOption }
        guard let value = ProcessInfo.processInfo.environment["AUTHD_STORE"], !value.isEmpty else { return nil }
        return value
    }

    func validate() throws {
        guard let store else { return }
        do {
            try SharedStore.validate(url: store)
        } catch let error as AuditError {
            throw ValidationError(error.description)
        }
    }

    /// Every projection, the stream index included.
    var projections: [any Projection] { [StreamIndex()] + DomainProjections.all }

    /// With `--store`, applies every commit of the shared log the replica lacks (``SharedStore/catchUp(url:data:)``);
    /// nothing without it.
    func catchUpReplica() throws {
        guard let store else { return }
        try SharedStore.catchUp(url: store, data: data)
    }

    /// Opens the environment read-only (after catching the replica up, with `--store`); fails clearly if there is no
    /// log there.
    func openReadOnly() throws -> Environment {
        try catchUpReplica()
        guard FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw ValidationError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        var options = Environment.Options()
        options.readOnly = true
        return try Environment(path: data, options: options)
    }

    /// Opens the store for writing (rebuild, prune --drop, keys rotate, users delete), with `--store` as the replica
    /// of the shared log. Refuses first, without writing anything, if a live authd of other projection versions
    /// serves the log in `--data` (``RunningServer``).
    func openStore() throws -> EventStore {
        let exists = FileManager.default.fileExists(atPath: data + "/data.mdb")
        guard exists || store != nil else {
            throw ValidationError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        if exists {
            var options = Environment.Options()
            options.readOnly = true
            do {
                try RunningServer.checkCompatible(environment: try Environment(path: data, options: options), projections: projections)
            } catch let refusal as RunningServer.Refusal {
                throw ValidationError(refusal.description)
            }
        }
        let store =
            try self.store.map { try SharedStore.open(url: $0, data: data) }
            ?? EventStore(path: data, projections: DomainProjections.all, options: .rebuildingNewProjections)
        // Events it appends seal their users' personal data like authd's.
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: data))
        return store
    }
}

/// Reads the head record.
func readHead(_ environment: Environment) throws -> LogHead { try LogHead.read(environment: environment) }
