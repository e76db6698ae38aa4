import AuthCore
import EventLog
import Foundation

/// What `authctl users delete` and `authctl export --user` do: the same commands and export as the API's
/// `DELETE /v1/me` and `GET /v1/me/export`, for operators.
public enum AccountOperations {
    /// The operator actor of `authctl`'s writes.
    public static let operatorActor = Actor(kind: .admin, id: "authctl")

    /// Deletes the user given as an id or an email (``AuditLog/resolveUser(_:in:)``), recording `reason`: every
    /// session and refresh family revoked, passkeys deleted, `user.deleted`. Returns the user id and the number of
    /// sessions revoked; ``AuditError`` if there is no such user or the reason is empty or longer than 500 characters.
    public static func deleteUser(_ user: String, reason: String, in store: EventStore) throws -> (userID: String, revokedSessions: Int) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else { throw AuditError("--reason must be 1 to 500 characters") }
        let vault = PersonalDataVault.installed(on: store)
        let userID = try store.read { try AuditLog.resolveUser(user, in: $0, vault: vault) }
        do {
            let revoked = try store.runSync(DeleteUser(userID: userID, reason: reason, actor: operatorActor, request: RequestInfo()))
            return (userID, revoked)
        } catch AuthError.unknownUser {
            throw AuditError("no user \(AuditText.shown(userID))")
        }
    }

    /// The export of the user given as an id or an email (``AccountExport``): one JSON object, personal data opened
    /// with `vault` (``AuditLog/vault(data:reader:)``).
    public static func export(_ user: String, in context: ReadContext, vault: PersonalDataVault?) throws -> String {
        let userID = try AuditLog.resolveUser(user, in: context, vault: vault)
        guard let json = try AccountExport.json(userID: userID, in: context, vault: vault) else { throw AuditError("no user \(AuditText.shown(userID))") }
        return json
    }
}
