import ArgumentParser
import AuditKit
import AuthCore
import AuthCrypto
import EventLog

/// `authctl keys`: access-token signing keys.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage access-token signing keys.", subcommands: [Rotate.self, List.self])

    /// `authctl keys rotate`: a new current key; the previous one stays in the JWKS for the overlap period.
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new signing key (PEM, mode 0600, under <data>/keys) and make it current.",
            discussion: """
                Records signing_key.rotated (kid and public key only). A running authd picks the new key up for \
                signing at once; the previous key stays published in /.well-known/jwks.json for the overlap period \
                (24 h by default) so tokens it signed keep verifying until they expire. With --store the event goes \
                through the shared log, but the key file is written only under this node's <data>/keys: copy it to \
                every node.
                """)

        @OptionGroup var options: DataOptions

        @Option(help: "ES256, EdDSA or RS256.")
        var algorithm: String = "ES256"

        func run() throws {
            guard let algorithm = SignatureAlgorithm(rawValue: algorithm), SigningKey.supportedAlgorithms.contains(algorithm) else {
                throw ValidationError("--algorithm must be ES256, EdDSA or RS256")
            }
            let store = try options.openStore()
            defer { store.close() }
            let files = try KeyFiles(dataDirectory: options.data)
            let current = try store.query { try $0.currentSigningKeyID() }
            guard let kid = try SigningKeyRotation.rotate(store: store, files: files, algorithm: algorithm, expectedCurrent: current, actor: Actor(kind: .admin, id: "authctl")) else {
                throw ValidationError("another rotation happened concurrently; run again")
            }
            writeLine("kid: \(kid)")
            writeLine("algorithm: \(algorithm.rawValue)")
            writeLine("previous_kid: \(current ?? "none")")
        }
    }

    /// `authctl keys list`: keys recorded in the log.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List signing keys recorded in the log (public halves).")

        @OptionGroup var options: DataOptions

        func run() throws {
            // Read-only (MDB_RDONLY): listing never takes the writer lock nor creates anything, and works on a
            // read-only copy of the data directory.
            let reader = try openReader(options)
            let (keys, current) = try reader.read { context in
                let queries = Queries(context)
                return (try queries.signingKeys(), try queries.currentSigningKeyID())
            }
            for key in keys {
                writeLine("\(AuditText.shown(key.kid)) \(AuditText.shown(key.record.algorithm)) \(key.record.createdAt.rfc3339)\(key.kid == current ? " current" : "")")
            }
        }
    }
}
