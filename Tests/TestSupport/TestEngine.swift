import EventLog
import Foundation
import PostgresLog

/// The engine the store-backed test suites run on: `AUTHD_TEST_ENGINE=postgres` runs them on the PostgreSQL engine
/// (each store a replica of a shared log in a fresh schema of `AUTHD_TEST_POSTGRES`); unset or `lmdb`, on the
/// embedded LMDB log. `Tools/test.sh` runs the live-server suites once per engine.
public enum TestEngine: String, Sendable {
    case lmdb, postgres

    /// The engine chosen by the environment.
    public static var current: TestEngine {
        ProcessInfo.processInfo.environment["AUTHD_TEST_ENGINE"].flatMap(TestEngine.init(rawValue:)) ?? .lmdb
    }

    /// Store options for the current engine: with PostgreSQL, a shared log in a fresh schema.
    public static func storeOptions(_ base: EventStore.Options = EventStore.Options()) throws -> EventStore.Options {
        var options = base
        if current == .postgres {
            options.sharedLog = try PostgresSharedLog(url: try TestPostgres.freshSchema("api"))
        }
        return options
    }
}
