import ArgumentParser
import AuditKit
import AuthCore
import AuthCrypto
import EventLog
import Foundation

/// `authctl investigate`: reconstructs refresh-token families and explains reuse (likely theft).
struct Investigate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruct a refresh-token family's tree and explain reuse (token theft).",
        discussion: "A raw --refresh-token is hashed locally (SHA-256 of its 32 bytes) and never stored.")

    @OptionGroup var options: DataOptions
    @Option(help: "Refresh-token family id.") var family: String?
    @Option(help: "Session id (its family).") var session: String?
    @Option(help: "User id or email (all families of the user with reuse, or all if none).") var user: String?
    @Option(help: "A raw refresh token (hashed locally).") var refreshToken: String?
    @Option(help: "table (default) or json.") var format: Replay.OutputFormat = .table
    @Option(help: "Also write a self-contained HTML report with a timeline to this file.") var html: String?

    func run() throws {
        let reader = try openReader(options)
        let vault = try openVault(options, reader)
        let investigations = try reader.read { context -> [FamilyInvestigation] in
            var families: [String] = []
            if let family { families.append(family) }
            if let session {
                guard let found = try FamilyInvestigation.family(ofSession: session, in: context) else {
                    throw ValidationError("session \(session) has no refresh-token family")
                }
                families.append(found)
            }
            if let refreshToken {
                guard let raw = Encoding.fromBase64URL(refreshToken), raw.count == 32 else {
                    throw ValidationError("--refresh-token must be a 43-character base64url token")
                }
                guard let found = try FamilyInvestigation.family(ofTokenHash: SHA256.hash(raw), in: context) else {
                    throw ValidationError("no family holds that refresh token")
                }
                families.append(found)
            }
            var all = try families.compactMap { try FamilyInvestigation.run(familyID: $0, in: context, vault: vault) }
            if let user {
                let userID = try resolveUser(user, in: context, vault: vault)
                let found = try FamilyInvestigation.families(ofUser: userID, in: context)
                    .compactMap { try FamilyInvestigation.run(familyID: $0, in: context, vault: vault) }
                let withReuse = found.filter { !$0.reuses.isEmpty }
                all += withReuse.isEmpty ? found : withReuse
            }
            guard !all.isEmpty else { throw ValidationError("nothing to investigate: give --family, --session, --user or --refresh-token that exist") }
            return all
        }
        switch format {
        case .json: writeLine(investigations.map(InvestigationReport.json).joined(separator: "\n"))
        case .table: writeLine(investigations.map(InvestigationReport.text).joined(separator: "\n\n"))
        }
        if let html {
            try InvestigationReport.html(investigations).write(toFile: html, atomically: true, encoding: .utf8)
            FileHandle.standardError.write("wrote \(html)\n".data(using: .utf8)!)
        }
    }
}
