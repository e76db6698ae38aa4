import ArgumentParser
import AuditKit
import AuthCore
import EventLog

/// `authctl users`: account operations.
struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Operate on user accounts.", subcommands: [Delete.self])

    /// `authctl users delete --user EMAIL|ID --reason TEXT`.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an account: revoke its sessions and refresh families, delete its passkeys, record user.deleted.",
            discussion: """
                The same as DELETE /v1/me by the account's holder, recorded with actor admin:authctl and the reason. \
                The account's projection rows are removed, so its address can register again as a new user; its \
                events stay in the log.
                """)

        @OptionGroup var options: DataOptions
        @Option(help: "User id or email.") var user: String
        @Option(help: "Why (recorded in user.deleted; 1 to 500 characters).") var reason: String

        func run() throws {
            let store = try options.openStore()
            defer { store.close() }
            let (userID, revoked) = try auditing { try AccountOperations.deleteUser(user, reason: reason, in: store) }
            writeLine("deleted: \(AuditText.shown(userID))")
            writeLine("revoked_sessions: \(revoked)")
        }
    }
}
