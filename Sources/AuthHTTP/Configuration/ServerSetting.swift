/// One setting of `authd serve`: its flag, environment variable, default and help, in one table so
/// the command line, the resolver and the help text cannot disagree.
public enum ServerSetting: String, CaseIterable, Sendable, Hashable {
    /// `--data DIR`.
    case data
    /// `--listen HOST:PORT`.
    case listen
    /// `--issuer URL`.
    case issuer
    /// `--origin URL` (repeatable).
    case origin
    /// `--admin-key KEY` (visible in `ps`; prefer ``adminKeyFile`` or the variable).
    case adminKey
    /// `--admin-key-file FILE`.
    case adminKeyFile
    /// `--argon2-memory-kib N`.
    case argon2MemoryKiB
    /// `--argon2-iterations N`.
    case argon2Iterations
    /// `--argon2-parallelism N`.
    case argon2Parallelism
    /// `--access-token-ttl DURATION`.
    case accessTokenTTL
    /// `--session-ttl DURATION`.
    case sessionTTL
    /// `--session-idle-timeout DURATION`.
    case sessionIdleTimeout
    /// `--session-update-age DURATION`.
    case sessionUpdateAge
    /// `--refresh-ttl DURATION`.
    case refreshTTL
    /// `--refresh-grace DURATION`.
    case refreshGrace
    /// `--max-body-bytes N`.
    case maxBodyBytes
    /// `--trust-proxy` / `--no-trust-proxy`.
    case trustProxy
    /// `--rp-id ID`.
    case rpID
    /// `--rp-name NAME`.
    case rpName
    /// `--webauthn-user-verification preferred|required`.
    case webauthnUserVerification
    /// `--webauthn-counter-policy reject|warn`.
    case webauthnCounterPolicy
    /// `--mfa-recovery-delay DURATION`.
    case mfaRecoveryDelay
    /// `--mfa-recovery-max-per-day N`.
    case mfaRecoveryMaxPerDay
    /// `--reauth-window DURATION`.
    case reauthWindow
    /// `--smtp HOST:PORT`.
    case smtp
    /// `--smtp-tls required|opportunistic|off`.
    case smtpTLS
    /// `--smtp-ca-file FILE`.
    case smtpCAFile
    /// `--mail-from ADDRESS`.
    case mailFrom
    /// `--mail-dir DIR`.
    case mailDir
    /// `--log-level LEVEL`.
    case logLevel
    /// `--hsts-include-subdomains` / `--no-hsts-include-subdomains`.
    case hstsIncludeSubdomains

    /// The long flag name without dashes, e.g. `argon2-memory-kib`.
    public var flagName: String {
        switch self {
        case .data: "data"
        case .listen: "listen"
        case .issuer: "issuer"
        case .origin: "origin"
        case .adminKey: "admin-key"
        case .adminKeyFile: "admin-key-file"
        case .argon2MemoryKiB: "argon2-memory-kib"
        case .argon2Iterations: "argon2-iterations"
        case .argon2Parallelism: "argon2-parallelism"
        case .accessTokenTTL: "access-token-ttl"
        case .sessionTTL: "session-ttl"
        case .sessionIdleTimeout: "session-idle-timeout"
        case .sessionUpdateAge: "session-update-age"
        case .refreshTTL: "refresh-ttl"
        case .refreshGrace: "refresh-grace"
        case .maxBodyBytes: "max-body-bytes"
        case .trustProxy: "trust-proxy"
        case .rpID: "rp-id"
        case .rpName: "rp-name"
        case .webauthnUserVerification: "webauthn-user-verification"
        case .webauthnCounterPolicy: "webauthn-counter-policy"
        case .mfaRecoveryDelay: "mfa-recovery-delay"
        case .mfaRecoveryMaxPerDay: "mfa-recovery-max-per-day"
        case .reauthWindow: "reauth-window"
        case .smtp: "smtp"
        case .smtpTLS: "smtp-tls"
        case .smtpCAFile: "smtp-ca-file"
        case .mailFrom: "mail-from"
        case .mailDir: "mail-dir"
        case .logLevel: "log-level"
        case .hstsIncludeSubdomains: "hsts-include-subdomains"
        }
    }

    /// The flag as typed, e.g. `--argon2-memory-kib`.
    public var flag: String { "--\(flagName)" }

    /// The environment variable, e.g. `AUTHD_ARGON2_MEMORY_KIB`.
    public var environmentVariable: String {
        "AUTHD_" + flagName.uppercased().replacingDashes()
    }

    /// The default, as shown in help.
    public var defaultDescription: String {
        switch self {
        case .data: "./data"
        case .listen: "127.0.0.1:8080"
        case .issuer: "http://localhost:PORT"
        case .origin: "http://localhost:PORT"
        case .adminKey: "none (admin API disabled)"
        case .adminKeyFile: "none"
        case .argon2MemoryKiB: "65536"
        case .argon2Iterations: "3"
        case .argon2Parallelism: "4"
        case .accessTokenTTL: "900s (15m)"
        case .sessionTTL: "30d"
        case .sessionIdleTimeout: "7d"
        case .sessionUpdateAge: "86400s (1d)"
        case .refreshTTL: "30d"
        case .refreshGrace: "30s"
        case .maxBodyBytes: "65536"
        case .trustProxy: "off"
        case .rpID: "localhost"
        case .rpName: "authd"
        case .webauthnUserVerification: "preferred"
        case .webauthnCounterPolicy: "reject"
        case .mfaRecoveryDelay: "24h"
        case .mfaRecoveryMaxPerDay: "3"
        case .reauthWindow: "300s (5m)"
        case .smtp: "none (notices go to --mail-dir)"
        case .smtpTLS: "opportunistic"
        case .smtpCAFile: "the system's trust store"
        case .mailFrom: "authd@localhost"
        case .mailDir: "DATA/mail"
        case .logLevel: "info"
        case .hstsIncludeSubdomains: "off"
        }
    }

    /// What the setting does.
    public var abstract: String {
        switch self {
        case .data: "Directory holding the event log."
        case .listen: "Address to listen on, HOST:PORT ([ADDR]:PORT for IPv6; port 0 picks a free port)."
        case .issuer: "Issuer URL written into tokens (http or https)."
        case .origin: "Browser origin allowed to send cookie-authenticated requests (CSRF check); repeatable."
        case .adminKey: "Key for the admin API, at least 16 characters. As a flag it is visible to every local user (ps); prefer --admin-key-file or the variable."
        case .adminKeyFile: "File holding the admin API key (trailing newline ignored); it must not be readable or writable by group or others."
        case .argon2MemoryKiB: "Argon2id memory cost in KiB."
        case .argon2Iterations: "Argon2id iterations (time cost)."
        case .argon2Parallelism: "Argon2id lanes."
        case .accessTokenTTL: "Access token lifetime."
        case .sessionTTL: "Absolute session lifetime."
        case .sessionIdleTimeout: "Session idle timeout: a session unused this long expires."
        case .sessionUpdateAge: "How old a session's last-seen time may get before a request refreshes it."
        case .refreshTTL: "Refresh token lifetime."
        case .refreshGrace: "How long a just-rotated refresh token is still accepted (concurrent refreshes); 0 disables."
        case .maxBodyBytes: "Largest accepted request body, in bytes."
        case .trustProxy: "Take the client IP from the right-most X-Forwarded-For entry (only behind a reverse proxy)."
        case .rpID: "WebAuthn relying party id (a registrable domain)."
        case .rpName: "WebAuthn relying party display name."
        case .webauthnUserVerification: "WebAuthn user verification: preferred (ask, accept presence only) or required."
        case .webauthnCounterPolicy: "WebAuthn signature counter regression: reject the login, or warn (record it and go ahead)."
        case .mfaRecoveryDelay: "Waiting period between an MFA recovery request and its completion."
        case .mfaRecoveryMaxPerDay: "MFA recovery requests accepted per account in 24 hours (a repeat keeps the pending one)."
        case .reauthWindow: "How long a login, step-up or re-authentication counts as recent for sensitive changes."
        case .smtp: "SMTP relay (HOST:PORT) that delivers notices to users."
        case .smtpTLS: "STARTTLS to the relay: required (verified certificate, never clear text), opportunistic (when offered, unverified), or off."
        case .smtpCAFile: "PEM trust anchors for verifying the relay's certificate under --smtp-tls required."
        case .mailFrom: "Sender address of notices."
        case .mailDir: "Directory that receives notices as .eml files when no SMTP relay is set."
        case .logLevel: "Log level: trace, debug, info, notice, warning, error, critical."
        case .hstsIncludeSubdomains: "Add includeSubDomains to Strict-Transport-Security (sent when the issuer is https): only if every subdomain of the issuer's host serves HTTPS."
        }
    }

    /// Whether the value is a duration (`N`, `Ns`, `Nm`, `Nh`, `Nd`).
    public var isDuration: Bool {
        switch self {
        case .accessTokenTTL, .sessionTTL, .sessionIdleTimeout, .sessionUpdateAge, .refreshTTL, .refreshGrace, .mfaRecoveryDelay,
            .reauthWindow: true
        default: false
        }
    }

    /// The help line for the command: abstract, environment variable, default.
    public var help: String {
        var text = abstract
        if isDuration { text += " Seconds, or a number with s/m/h/d." }
        if self == .origin { text += " The variable takes a comma-separated list." }
        if self == .trustProxy || self == .hstsIncludeSubdomains { text += " The variable takes true/false." }
        return text + " (env: \(environmentVariable); default: \(defaultDescription))"
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
