import AuthCore
import EventLog
import Foundation
import PostgresLog
import ProjectionRebuild

/// authctl against the PostgreSQL engine (`--store postgres://…`): the node's data directory (`--data`) holds its
/// `keys/` and its LMDB replica of the shared log. Read-only commands bring the replica up to date
/// (``catchUp(url:data:)``) and read it as a standalone log; writing commands open the store with the shared log
/// (``open(url:data:)``), so their events go through it like authd's.
public enum SharedStore {
    /// Checks that `url` names a PostgreSQL database (`postgres://` or `postgresql://`) and carries no password;
    /// ``AuditError`` otherwise.
    public static func validate(url: String) throws {
        do {
            try StoreURL.check(url)
        } catch {
            throw AuditError("--store: \(error.description)")
        }
    }

    /// Connects to the shared log at `url`, then opens the store in `data` (created 0700 if missing) as its
    /// replica, caught up (``EventStore/Options/sharedLog``). Projections new to this binary are built at open, as
    /// authd does.
    public static func open(url: String, data: String) throws -> EventStore {
        try validate(url: url)
        var options = EventStore.Options.rebuildingNewProjections
        options.sharedLog = try PostgresSharedLog(url: url)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try EventStore(path: data, projections: DomainProjections.all, options: options)
    }

    /// Brings the replica in `data` up to date with the shared log at `url` (every commit it lacks applied) and
    /// closes it; returns its head.
    @discardableResult
    public static func catchUp(url: String, data: String) throws -> LogHead {
        let store = try open(url: url, data: data)
        defer { store.close() }
        return try store.head()
    }
}
