import Foundation
import Postgres

/// The PostgreSQL cluster the tests use: `AUTHD_TEST_POSTGRES` (a URL; `Tools/test.sh` starts a throwaway cluster
/// with `Tools/postgres-cluster.sh` and sets it). Each test takes a fresh schema of its own.
public enum TestPostgres {
    /// The variable is not set: the tests that need PostgreSQL fail with this message rather than skip.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "AUTHD_TEST_POSTGRES is not set: start a cluster with `Tools/postgres-cluster.sh start DIR` and export the URL it prints "
                + "(Tools/test.sh does both)"
        }
    }

    /// The cluster's URL.
    public static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["AUTHD_TEST_POSTGRES"], !url.isEmpty else { throw Missing() }
        return url
    }

    /// Creates an empty schema and returns a URL whose connections use it (`search_path`).
    public static func freshSchema(_ label: String = "t") throws -> String {
        let base = try baseURL()
        let schema = "\(label)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        let connection = try PostgresConnection(url: base)
        try connection.query("CREATE SCHEMA \(schema)")
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    /// Runs one statement on `url` (for tests that inspect or damage the shared log on purpose).
    @discardableResult
    public static func query(_ url: String, _ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        try PostgresConnection(url: url).query(sql, parameters)
    }
}
