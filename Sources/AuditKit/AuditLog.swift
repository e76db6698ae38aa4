import AuthCore
import EventLog
import Foundation
import LMDB

/// A failure of an audit request that names what was asked for (no log, no such user): `authctl` shows it as a usage
/// error (exit code 64).
public struct AuditError: Error, CustomStringConvertible, Equatable {
    /// What was wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Opening a data directory for audits and finding users in it.
public enum AuditLog {
    /// Opens the data directory `data` read-only; ``AuditError`` if there is no log there.
    public static func openReader(data: String) throws -> LogReader {
        guard FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw AuditError("no event log at \(data) (expected \(data)/data.mdb)")
        }
        return try LogReader(path: data, projections: DomainProjections.all)
    }

    /// The user id for `value`, given as an id or as an email. An email is normalised as at registration and login
    /// (``Email/normalize(_:)``: trimmed, NFC, lowercased), so any spelling that logs in finds the account;
    /// ``AuditError`` if it is not an address or no user has it.
    public static func resolveUser(_ value: String, in context: ReadContext) throws -> String {
        guard value.contains("@") else { return value }
        guard let email = Email.normalize(value) else { throw AuditError("not an email address: \(AuditText.shown(value))") }
        guard let id = try UserEmail.user(named: email, in: context.state) else {
            throw AuditError("no user with email \(AuditText.shown(email))")
        }
        return id
    }
}
