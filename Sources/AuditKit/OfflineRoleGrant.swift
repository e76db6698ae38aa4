import AuthCore
import EventLog
import Foundation
import LMDB
import ProjectionRebuild

/// `authctl roles grant`: grants a role offline (the documented way to make the first administrator). The event's
/// `granted_by` is `authctl` (an operator with access to the data directory). It refuses while an authd serves the
/// log, whose in-memory authorization snapshot would not see the grant: use the admin API then.
public enum OfflineRoleGrant {
    /// Grants `role` to the user `user` (an id or an email) with `reason`, until `expiresAt` if given; returns the
    /// `role.granted` event. With `sharedLog` (a `postgres://` URL), `data` is the node's replica and the grant goes
    /// through the shared log (``SharedStore/open(url:data:)``).
    public static func grant(
        data: String, user: String, role: String, reason: String, expiresAt: Timestamp?, sharedLog: String? = nil
    ) throws -> RecordedEvent {
        guard sharedLog != nil || FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw AuditError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        guard PermissionSet.isValidRoleName(role) else { throw AuditError("role names are 1 to 64 of [A-Za-z0-9_.-]") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty, reason.utf8.count <= 512 else {
            throw AuditError("--reason must say why, in at most 512 bytes")
        }
        var options = Environment.Options()
        options.readOnly = true
        if FileManager.default.fileExists(atPath: data + "/data.mdb"),
            let server = try RunningServer.live(in: try Environment(path: data, options: options))
        {
            throw AuditError("authd (pid \(server.pid)) serves this log; grant roles through the admin API while it runs")
        }
        let store =
            try sharedLog.map { try SharedStore.open(url: $0, data: data) }
            ?? EventStore(path: data, projections: DomainProjections.all, options: .rebuildingNewProjections)
        defer { store.close() }
        // Events it appends seal their users' personal data like authd's; emails are found by their keyed hash.
        let vault = try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: data))
        let userID = try store.read { try AuditLog.resolveUser(user, in: $0, vault: vault) }
        do {
            return try store.runSync(
                GrantRole(userID: userID, role: role, expiresAt: expiresAt, reason: reason, actorID: "authctl", request: .none))
        } catch AuthzError.userNotFound {
            throw AuditError("no user \(AuditText.shown(user))")
        } catch AuthzError.roleNotFound {
            throw AuditError("no role \(AuditText.shown(role)) is in force (define it in the policy file or through the admin API)")
        }
    }
}
