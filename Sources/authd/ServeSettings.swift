import AuthHTTP
import Foundation
import Notifications
import PostgresLog

/// The settings `authd serve` reads itself: notice delivery (SMTP or a mail directory) and the chain head's logging
/// and anchoring. The mail settings would live in Notifications, but Notifications does not depend on AuthHTTP (where
/// the table's types are) and should not have to: authd, which builds the notifier, declares them.
enum ServeSettings {
    static let owner = "authd"

    // MARK: Notices (Notifications)

    /// `--smtp HOST:PORT`; stored as `host:port` (`[host]:port` for IPv6).
    static let smtp = Setting<String?>(
        "smtp", env: "AUTHD_SMTP", value: "host:port", default: nil, shown: "none (notices go to --mail-dir)",
        kind: SettingKind<String>("HOST:PORT") { input in
            let (host, port) = try input.hostAndPort()
            guard port > 0 else { throw input.invalid("expected HOST:PORT with a port in 1...65535") }
            return ListenAddress(host: host, port: port).description
        }.optional, owner: owner, help: "SMTP relay (HOST:PORT) that delivers notices to users.")

    /// `--smtp-tls required|opportunistic|off`.
    static let smtpTLS = Setting(
        "smtp-tls", env: "AUTHD_SMTP_TLS", value: "policy", default: ServerConfiguration.SMTPTLS.opportunistic,
        kind: .choice(), owner: owner,
        help: "STARTTLS to the relay: required (verified certificate, never clear text), opportunistic (when offered, "
            + "unverified), or off.")

    /// `--smtp-ca-file FILE`.
    static let smtpCAFile = Setting<String?>(
        "smtp-ca-file", env: "AUTHD_SMTP_CA_FILE", value: "file", default: nil, shown: "the system's trust store",
        kind: SettingKind<String>("readable PEM file") { input in
            guard !input.text.isEmpty, FileManager.default.isReadableFile(atPath: input.text) else {
                throw input.invalid("expected a readable PEM file")
            }
            return input.text
        }.optional, owner: owner,
        help: "PEM trust anchors for verifying the relay's certificate under --smtp-tls required.")

    /// `--mail-from ADDRESS`: a plain address, safe in a header and an SMTP command.
    static let mailFrom = Setting(
        "mail-from", env: "AUTHD_MAIL_FROM", value: "address", default: "authd@localhost",
        kind: SettingKind<String>("email address") { input in
            guard !input.text.isEmpty, MailMessage.isPlainAddress(input.text) else {
                throw input.invalid("expected an address such as authd@example.com")
            }
            return input.text
        }, owner: owner, help: "Sender address of notices.")

    /// `--mail-dir DIR`; `nil`: `<data>/mail`.
    static let mailDir = Setting<String?>(
        "mail-dir", env: "AUTHD_MAIL_DIR", value: "dir", default: nil, shown: "DATA/mail",
        kind: SettingKind<String>.directory.optional, owner: owner,
        help: "Directory that receives notices as .eml files when no SMTP relay is set.")

    // MARK: The engine

    /// `--store postgres://USER@HOST:PORT/DB`: the PostgreSQL engine (several nodes, one log).
    static let store = Setting<String?>(
        "store", env: "AUTHD_STORE", value: "url", default: nil, shown: "none (the LMDB log in --data)",
        kind: SettingKind<String>("postgres://USER@HOST:PORT/DB", isSecret: true) { input in
            do {
                try StoreURL.check(input.text)
            } catch let refusal as StoreURL.Refusal {
                throw input.invalid(refusal.description)
            }
            return input.text
        }.optional, owner: owner,
        help: "The PostgreSQL engine: the log lives in this database, shared by every node started with it; --data then holds "
            + "this node's keys and its replica. The password comes from PGPASSWORD or a password file (PGPASSFILE), never "
            + "from the URL.")

    // MARK: The chain head

    /// `--head-log-interval SECONDS`.
    static let headLogInterval = Setting(
        "head-log-interval", env: "AUTHD_HEAD_LOG_INTERVAL", value: "seconds", default: 300,
        kind: .duration(allowZero: true), owner: owner,
        help: "Seconds between log lines with the chain head (seq:hash) for recording outside the system; 0 disables.")

    /// `--anchor-key FILE`.
    static let anchorKey = Setting<String?>(
        "anchor-key", env: "AUTHD_ANCHOR_KEY", value: "file", default: nil, shown: "none (no anchoring)",
        kind: SettingKind<String>.path.optional, owner: owner,
        help: "Ed25519 private key (PKCS#8 PEM, mode 0600, outside the data directory) signing head checkpoints; "
            + "needs --anchor-file.")

    /// `--anchor-file PATH`.
    static let anchorFile = Setting<String?>(
        "anchor-file", env: "AUTHD_ANCHOR_FILE", value: "path", default: nil, shown: "none (no anchoring)",
        kind: SettingKind<String>.path.optional, owner: owner,
        help: "Append-only file (outside the data directory) receiving signed head checkpoints for "
            + "`authctl verify --anchors`; needs --anchor-key.")

    /// `--anchor-interval SECONDS`.
    static let anchorInterval = Setting(
        "anchor-interval", env: "AUTHD_ANCHOR_INTERVAL", value: "seconds", default: 60,
        kind: .duration(allowZero: false), owner: owner,
        help: "Seconds between head checkpoints (only when the head moved).")

    // MARK: Observability

    /// `--log-format json|text`.
    static let logFormat = Setting(
        "log-format", env: "AUTHD_LOG_FORMAT", value: "format", default: ServerConfiguration.LogFormat.text,
        kind: .choice(), owner: owner,
        help: "Log lines on standard error: text (one readable line per event) or json (one JSON object per line, with "
            + "the request id as request_id).")

    /// `--metrics-listen HOST:PORT`; `nil`: no metrics listener.
    static let metricsListen = Setting<ListenAddress?>(
        "metrics-listen", env: "AUTHD_METRICS_LISTEN", value: "host:port", default: nil, shown: "none (no metrics)",
        kind: SettingKind<ListenAddress>("HOST:PORT") { input in
            let (host, port) = try input.hostAndPort()
            return ListenAddress(host: host, port: port)
        }.optional, owner: owner,
        help: "Address of a separate listener serving GET /metrics in the Prometheus text format "
            + "(e.g. 127.0.0.1:9464; keep it off the public network).")

    /// authd's settings, and the check that the anchor key and file come together.
    static let table = SettingsTable(
        [
            smtp.spec, smtpTLS.spec, smtpCAFile.spec, mailFrom.spec, mailDir.spec, headLogInterval.spec, anchorKey.spec,
            anchorFile.spec, anchorInterval.spec, store.spec,
            logFormat.spec, metricsListen.spec,
        ],
        checks: [
            { config in
                if (config[anchorKey] == nil) != (config[anchorFile] == nil) {
                    throw ConfigurationError("\(anchorKey.flag) and \(anchorFile.flag) go together")
                }
            }
        ])
}

extension ServerConfiguration {
    /// When the notifier uses `STARTTLS` with the SMTP relay.
    enum SMTPTLS: String, SettingValue, CaseIterable {
        /// Always, certificate verified; never clear text.
        case required
        /// When offered, certificate not verified; clear text otherwise.
        case opportunistic
        /// Never.
        case off
    }

    /// SMTP relay for notices, `host:port`; `nil` writes them to ``mailDirectory``.
    var smtpRelay: String? { self[ServeSettings.smtp] }
    /// `STARTTLS` to the SMTP relay.
    var smtpTLS: SMTPTLS { self[ServeSettings.smtpTLS] }
    /// PEM trust anchors for the relay's certificate under ``SMTPTLS/required``; `nil`: the system's.
    var smtpCAFile: String? { self[ServeSettings.smtpCAFile] }
    /// Sender address of notices.
    var mailFrom: String { self[ServeSettings.mailFrom] }
    /// Directory for `.eml` notices when no relay is set; `nil` means `<data>/mail`.
    var mailDirectory: String? { self[ServeSettings.mailDir] }
    /// Seconds between log lines with the chain head; 0: none.
    var headLogInterval: Int { self[ServeSettings.headLogInterval] }
    /// The anchor signing key and file, or `nil` when head anchoring is off.
    var anchorPaths: (key: String, file: String)? {
        guard let key = self[ServeSettings.anchorKey], let file = self[ServeSettings.anchorFile] else { return nil }
        return (key, file)
    }
    /// Seconds between head checkpoints.
    var anchorInterval: Int { self[ServeSettings.anchorInterval] }
    /// The PostgreSQL engine's URL, or `nil` for the LMDB log in the data directory.
    var sharedStoreURL: String? { self[ServeSettings.store] }

    /// How log lines are written.
    enum LogFormat: String, SettingValue, CaseIterable {
        /// One readable line per event (swift-log's stream handler).
        case text
        /// One JSON object per line (``JSONLogHandler``).
        case json
    }

    /// How log lines are written.
    var logFormat: LogFormat { self[ServeSettings.logFormat] }
    /// The metrics listener's address, or `nil` when metrics are off.
    var metricsListenAddress: ListenAddress? { self[ServeSettings.metricsListen] }
}
