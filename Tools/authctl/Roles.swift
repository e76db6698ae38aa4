import ArgumentParser
import AuditKit
import AuthCore
import EventLog

/// `authctl roles`: role grants made offline.
struct Roles: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Grant roles offline.", subcommands: [Grant.self])

    /// `authctl roles grant --user EMAIL --role ROLE --reason TEXT`.
    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant a role to a user (records role.granted, granted_by authctl).",
            discussion: """
                The way to make the first administrator: grant a role holding the admin:* permissions (for example \
                super_admin from the policy file). Refuses while authd serves the log; use the admin API then.
                """)

        @OptionGroup var options: DataOptions
        @Option(help: "User id or email.") var user: String
        @Option(help: "Role name (defined in the policy file or through the admin API).") var role: String
        @Option(help: "Why (recorded in the event).") var reason: String
        @Option(help: "RFC 3339 time when the grant ends (default: never).") var expires: String?

        func run() throws {
            let expiresAt = try expires.map { text -> Timestamp in
                guard let time = Timestamp(rfc3339: text) else { throw ValidationError("--expires must be an RFC 3339 time") }
                return time
            }
            let event = try auditing {
                try OfflineRoleGrant.grant(
                    data: options.data, user: user, role: role, reason: reason, expiresAt: expiresAt, sharedLog: options.store)
            }
            writeLine("granted \(role) (seq \(event.seq))")
        }
    }
}
