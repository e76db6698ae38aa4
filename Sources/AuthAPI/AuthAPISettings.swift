import AuthHTTP
import Foundation

/// The settings of the HTTP API (AuthAPI): the admin key, password hashing, token and session lifetimes, WebAuthn and
/// MFA. Each is one ``Setting`` here, listed in ``table``; authd joins this table with ``HTTPSettings/table`` and its own.
/// The typed properties on ``ServerConfiguration`` below are what the routes read.
public enum AuthAPISettings {
    static let owner = "AuthAPI"

    // MARK: Admin API

    /// `--admin-key KEY` (visible in `ps`; prefer ``adminKeyFile`` or the variable).
    public static let adminKey = Setting<String?>(
        "admin-key", env: "AUTHD_ADMIN_KEY", value: "key", default: nil, shown: "none (no introspection or bootstrap)",
        kind: SettingKind<String>("secret, 16+ characters", isSecret: true) { input in
            guard input.text.count >= 16 else { throw input.invalid("expected at least 16 characters") }
            return input.text
        }.optional, owner: owner,
        help: "Key for introspection and the first administrator's bootstrap, at least 16 characters. As a flag it is visible to every local user (ps); prefer "
            + "--admin-key-file or the variable.",
        flagWarning: "--admin-key puts the admin key on the command line, where every local user can read it (ps, /proc); "
            + "use --admin-key-file or AUTHD_ADMIN_KEY",
        exclusiveWith: (flagName: "admin-key-file", message: "give the admin key once"))

    /// `--admin-key-file FILE`; its value is the key read from the file.
    public static let adminKeyFile = Setting<String?>(
        "admin-key-file", env: "AUTHD_ADMIN_KEY_FILE", value: "file", default: nil, shown: "none",
        kind: SettingKind<String>("owner-only file", parse: readAdminKeyFile).optional, owner: owner,
        help: "File holding the admin key (trailing newline ignored); it must not be readable or writable by group or others.")

    // MARK: Password hashing

    /// `--argon2-memory-kib N`.
    public static let argon2MemoryKiB = Setting(
        "argon2-memory-kib", env: "AUTHD_ARGON2_MEMORY_KIB", value: "kib", default: 65_536,
        kind: .integer(in: 8...4_194_304), owner: owner, help: "Argon2id memory cost in KiB.")

    /// `--argon2-iterations N`.
    public static let argon2Iterations = Setting(
        "argon2-iterations", env: "AUTHD_ARGON2_ITERATIONS", value: "n", default: 3,
        kind: .integer(in: 1...1024), owner: owner, help: "Argon2id iterations (time cost).")

    /// `--argon2-parallelism N`.
    public static let argon2Parallelism = Setting(
        "argon2-parallelism", env: "AUTHD_ARGON2_PARALLELISM", value: "n", default: 4,
        kind: .integer(in: 1...255), owner: owner, help: "Argon2id lanes.")

    // MARK: Tokens and sessions

    /// `--access-token-ttl DURATION`.
    public static let accessTokenTTL = Setting(
        "access-token-ttl", env: "AUTHD_ACCESS_TOKEN_TTL", value: "duration", default: 900, shown: "900s (15m)",
        kind: .duration(allowZero: false), owner: owner, help: "Access token lifetime.")

    /// `--session-ttl DURATION`.
    public static let sessionTTL = Setting(
        "session-ttl", env: "AUTHD_SESSION_TTL", value: "duration", default: 30 * 86_400, shown: "30d",
        kind: .duration(allowZero: false), owner: owner, help: "Absolute session lifetime.")

    /// `--session-idle-timeout DURATION`.
    public static let sessionIdleTimeout = Setting(
        "session-idle-timeout", env: "AUTHD_SESSION_IDLE_TIMEOUT", value: "duration", default: 7 * 86_400, shown: "7d",
        kind: .duration(allowZero: false), owner: owner, help: "Session idle timeout: a session unused this long expires.")

    /// `--session-update-age DURATION`.
    public static let sessionUpdateAge = Setting(
        "session-update-age", env: "AUTHD_SESSION_UPDATE_AGE", value: "duration", default: 86_400, shown: "86400s (1d)",
        kind: .duration(allowZero: false), owner: owner,
        help: "How old a session's last-seen time may get before a request refreshes it.")

    /// `--refresh-ttl DURATION`.
    public static let refreshTTL = Setting(
        "refresh-ttl", env: "AUTHD_REFRESH_TTL", value: "duration", default: 30 * 86_400, shown: "30d",
        kind: .duration(allowZero: false), owner: owner, help: "Refresh token lifetime.")

    /// `--refresh-grace DURATION`.
    public static let refreshGrace = Setting(
        "refresh-grace", env: "AUTHD_REFRESH_GRACE", value: "duration", default: 30, shown: "30s",
        kind: .duration(allowZero: true), owner: owner,
        help: "How long a just-rotated refresh token is still accepted (concurrent refreshes); 0 disables.")

    /// `--reauth-window DURATION`.
    public static let reauthWindow = Setting(
        "reauth-window", env: "AUTHD_REAUTH_WINDOW", value: "duration", default: 300, shown: "300s (5m)",
        kind: .duration(allowZero: false), owner: owner,
        help: "How long a login, step-up or re-authentication counts as recent for sensitive changes.")

    // MARK: WebAuthn (passkeys)

    /// `--rp-id ID`.
    public static let rpID = Setting(
        "rp-id", env: "AUTHD_RP_ID", value: "domain", default: "localhost",
        kind: SettingKind<String>("domain name") { input in
            guard !input.text.isEmpty, !input.text.contains(where: { $0 == "/" || $0 == ":" || $0 == " " }) else {
                throw input.invalid("expected a domain name such as example.com")
            }
            return input.text.lowercased()
        }, owner: owner, help: "WebAuthn relying party id (a registrable domain).")

    /// `--rp-name NAME`; also the issuer of `otpauth://` URIs.
    public static let rpName = Setting(
        "rp-name", env: "AUTHD_RP_NAME", value: "name", default: "authd",
        kind: SettingKind<String>("name, at most 64 bytes, no ':'") { input in
            guard !input.text.trimmingCharacters(in: .whitespaces).isEmpty else { throw input.invalid("expected a non-empty name") }
            // The name is also the issuer of `otpauth://` URIs, whose label cannot hold a colon in the issuer.
            guard !input.text.contains(":"), input.text.utf8.count <= 64 else {
                throw input.invalid("expected a name of at most 64 bytes without ':'")
            }
            return input.text
        }, owner: owner, help: "WebAuthn relying party display name.")

    /// `--webauthn-user-verification preferred|required`.
    public static let webauthnUserVerification = Setting(
        "webauthn-user-verification", env: "AUTHD_WEBAUTHN_USER_VERIFICATION", value: "policy",
        default: ServerConfiguration.WebAuthnUserVerification.preferred, kind: .choice(), owner: owner,
        help: "WebAuthn user verification: preferred (ask, accept presence only) or required.")

    /// `--webauthn-counter-policy reject|warn`.
    public static let webauthnCounterPolicy = Setting(
        "webauthn-counter-policy", env: "AUTHD_WEBAUTHN_COUNTER_POLICY", value: "policy",
        default: ServerConfiguration.WebAuthnCounterPolicy.reject, kind: .choice(), owner: owner,
        help: "WebAuthn signature counter regression: reject the login, or warn (record it and go ahead).")

    // MARK: MFA recovery

    /// `--mfa-recovery-delay DURATION`.
    public static let mfaRecoveryDelay = Setting(
        "mfa-recovery-delay", env: "AUTHD_MFA_RECOVERY_DELAY", value: "duration", default: 86_400, shown: "24h",
        kind: .duration(allowZero: true), owner: owner,
        help: "Waiting period between an MFA recovery request and its completion.")

    /// `--mfa-recovery-max-per-day N`.
    public static let mfaRecoveryMaxPerDay = Setting(
        "mfa-recovery-max-per-day", env: "AUTHD_MFA_RECOVERY_MAX_PER_DAY", value: "count", default: 3,
        kind: .integer(in: 1...1_000), owner: owner,
        help: "MFA recovery requests accepted per account in 24 hours (a repeat keeps the pending one).")

    // MARK: Account lifecycle

    /// `--email-verification-ttl DURATION`.
    public static let emailVerificationTTL = Setting(
        "email-verification-ttl", env: "AUTHD_EMAIL_VERIFICATION_TTL", value: "duration", default: 86_400, shown: "24h",
        kind: .duration(allowZero: false), owner: owner,
        help: "Lifetime of an email verification link (and of an email change's confirmation link).")

    /// `--password-reset-ttl DURATION`.
    public static let passwordResetTTL = Setting(
        "password-reset-ttl", env: "AUTHD_PASSWORD_RESET_TTL", value: "duration", default: 1_800, shown: "30m",
        kind: .duration(allowZero: false), owner: owner, help: "Lifetime of a password reset link.")

    /// `--require-verified-email` / `--no-require-verified-email`.
    public static let requireVerifiedEmail = Setting(
        "require-verified-email", env: "AUTHD_REQUIRE_VERIFIED_EMAIL", default: false, shown: "off", kind: .boolean, owner: owner,
        help: "Refuse logins until the account's email is verified: password and passkey logins get 403 after the credential check, external logins #error=email_not_verified.")
    // MARK: External login (OAuth 2.0 / OpenID Connect)

    /// `--oidc-providers FILE`: the external login providers (a JSON array; docs/API.md).
    public static let oidcProviders = Setting<OIDCProviderSet?>(
        "oidc-providers", env: "AUTHD_OIDC_PROVIDERS", value: "file", default: nil, shown: "none (no external login)",
        kind: SettingKind<OIDCProviderSet>("JSON file of providers") { input throws(ConfigurationError) in
            do {
                return try OIDCProviderSet.load(path: input.text)
            } catch let error as ConfigurationError {
                throw input.invalid(error.message)
            } catch {
                throw input.invalid("\(error)")
            }
        }.optional, owner: owner,
        help: "JSON file listing the external login providers (OpenID Connect with discovery, or GitHub): id, kind, "
            + "issuer, client_id, client_secret or client_secret_file, scopes, allow_signup, display_name, endpoint overrides.")

    /// `--allowed-return-url URL` (repeatable).
    public static let allowedReturnURL = Setting<[String]>(
        "allowed-return-url", env: "AUTHD_ALLOWED_RETURN_URL", value: "url", default: [], shown: "none (paths on this origin only)",
        kind: .list(of: SettingKind<String>("absolute URL") { input throws(ConfigurationError) in
            guard let allowed = ReturnToPolicy.AllowedURL(input.text) else {
                throw input.invalid("expected an absolute http(s) URL without user, query or fragment")
            }
            return allowed.text
        }), owner: owner,
        help: "URL an external login may return to besides paths on this origin: same scheme and host, and a path "
            + "under this one's (on a '/' boundary); repeatable.")
    // MARK: Authorization

    /// `--policy FILE`.
    public static let policy = Setting<String?>(
        "policy", env: "AUTHD_POLICY", value: "file", default: nil, shown: "none (roles and grants from the admin API only)",
        kind: SettingKind<String>("file path") { input in
            guard !input.text.isEmpty else { throw input.invalid("expected a file path") }
            return input.text
        }.optional, owner: owner,
        help: "Authorization policy (JSON: roles and ABAC rules), reloaded on SIGHUP; a changed document is recorded as "
            + "policy.loaded, a malformed one is refused and the previous one stays in force.")

    /// The API's settings, in help order, and the argon2 check (memory at least 8 KiB per lane).
    public static let table = SettingsTable(
        [
            adminKey.spec, adminKeyFile.spec, argon2MemoryKiB.spec, argon2Iterations.spec, argon2Parallelism.spec,
            accessTokenTTL.spec, sessionTTL.spec, sessionIdleTimeout.spec, sessionUpdateAge.spec, refreshTTL.spec,
            refreshGrace.spec, reauthWindow.spec, rpID.spec, rpName.spec, webauthnUserVerification.spec,
            webauthnCounterPolicy.spec, mfaRecoveryDelay.spec, mfaRecoveryMaxPerDay.spec,
            emailVerificationTTL.spec, passwordResetTTL.spec, requireVerifiedEmail.spec,
            oidcProviders.spec, allowedReturnURL.spec,
            policy.spec,
        ],
        checks: [
            { config in
                if config.argon2MemoryKiB < 8 * config.argon2Parallelism {
                    throw ConfigurationError(
                        "\(argon2MemoryKiB.flag) (\(config.argon2MemoryKiB)) must be at least 8 × "
                            + "\(argon2Parallelism.flag) (\(config.argon2Parallelism))")
                }
            }
        ])

    /// Reads the admin key from a file that only its owner may read or write (no group or other permission bits: a
    /// key readable by others is refused, not used). A trailing newline (or CR LF) is dropped; the key must then be
    /// at least 16 characters.
    static func readAdminKeyFile(_ value: SettingInput) throws(ConfigurationError) -> String {
        let path = value.text
        guard !path.isEmpty else { throw value.invalid("expected a file path") }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw value.invalid("cannot read the file")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else { throw value.invalid("expected a regular file") }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw value.invalid(
                "the file is accessible by group or others (mode \(String(mode, radix: 8))); make it readable by its owner only (chmod 600)")
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
            var key = String(data: data, encoding: .utf8)
        else {
            throw value.invalid("cannot read the file as UTF-8 text of at most 4096 bytes")
        }
        while let last = key.last, last.isNewline { key.removeLast() }
        guard key.count >= 16 else { throw value.invalid("expected a key of at least 16 characters in the file") }
        guard !key.contains(where: { $0.isNewline }) else { throw value.invalid("expected the key on a single line") }
        return key
    }
}

// MARK: - Typed access to the API's settings

extension ServerConfiguration {
    /// WebAuthn user verification policy.
    public enum WebAuthnUserVerification: String, SettingValue, CaseIterable {
        case preferred, required
    }

    /// WebAuthn counter-regression policy.
    public enum WebAuthnCounterPolicy: String, SettingValue, CaseIterable {
        case reject, warn
    }

    /// Admin API key (from `--admin-key`, `--admin-key-file` or their variables); `nil` disables the admin API.
    public var adminKey: String? {
        get { self[AuthAPISettings.adminKey] ?? self[AuthAPISettings.adminKeyFile] }
        set {
            self[AuthAPISettings.adminKey] = newValue
            self[AuthAPISettings.adminKeyFile] = nil
        }
    }
    /// The authorization policy file (`--policy`), if any.
    public var policyFile: String? {
        get { self[AuthAPISettings.policy] }
        set { self[AuthAPISettings.policy] = newValue }
    }
    /// Argon2id memory cost, KiB.
    public var argon2MemoryKiB: Int {
        get { self[AuthAPISettings.argon2MemoryKiB] }
        set { self[AuthAPISettings.argon2MemoryKiB] = newValue }
    }
    /// Argon2id iterations.
    public var argon2Iterations: Int {
        get { self[AuthAPISettings.argon2Iterations] }
        set { self[AuthAPISettings.argon2Iterations] = newValue }
    }
    /// Argon2id lanes.
    public var argon2Parallelism: Int {
        get { self[AuthAPISettings.argon2Parallelism] }
        set { self[AuthAPISettings.argon2Parallelism] = newValue }
    }
    /// Access token lifetime, seconds.
    public var accessTokenTTL: Int {
        get { self[AuthAPISettings.accessTokenTTL] }
        set { self[AuthAPISettings.accessTokenTTL] = newValue }
    }
    /// Absolute session lifetime, seconds.
    public var sessionTTL: Int {
        get { self[AuthAPISettings.sessionTTL] }
        set { self[AuthAPISettings.sessionTTL] = newValue }
    }
    /// Session idle timeout, seconds.
    public var sessionIdleTimeout: Int {
        get { self[AuthAPISettings.sessionIdleTimeout] }
        set { self[AuthAPISettings.sessionIdleTimeout] = newValue }
    }
    /// Age of a session's last-seen time after which a request refreshes it, seconds.
    public var sessionUpdateAge: Int {
        get { self[AuthAPISettings.sessionUpdateAge] }
        set { self[AuthAPISettings.sessionUpdateAge] = newValue }
    }
    /// Refresh token lifetime, seconds.
    public var refreshTTL: Int {
        get { self[AuthAPISettings.refreshTTL] }
        set { self[AuthAPISettings.refreshTTL] = newValue }
    }
    /// Grace period for a just-rotated refresh token, seconds (0: none).
    public var refreshGrace: Int {
        get { self[AuthAPISettings.refreshGrace] }
        set { self[AuthAPISettings.refreshGrace] = newValue }
    }
    /// Seconds a login, step-up or re-authentication counts as recent authentication for sensitive changes.
    public var reauthWindow: Int {
        get { self[AuthAPISettings.reauthWindow] }
        set { self[AuthAPISettings.reauthWindow] = newValue }
    }
    /// WebAuthn relying party id.
    public var rpID: String {
        get { self[AuthAPISettings.rpID] }
        set { self[AuthAPISettings.rpID] = newValue }
    }
    /// WebAuthn relying party name.
    public var rpName: String {
        get { self[AuthAPISettings.rpName] }
        set { self[AuthAPISettings.rpName] = newValue }
    }
    /// WebAuthn user verification: `preferred` or `required`.
    public var webauthnUserVerification: WebAuthnUserVerification {
        get { self[AuthAPISettings.webauthnUserVerification] }
        set { self[AuthAPISettings.webauthnUserVerification] = newValue }
    }
    /// WebAuthn signature counter regression policy: `reject` or `warn`.
    public var webauthnCounterPolicy: WebAuthnCounterPolicy {
        get { self[AuthAPISettings.webauthnCounterPolicy] }
        set { self[AuthAPISettings.webauthnCounterPolicy] = newValue }
    }
    /// Seconds between an MFA recovery request and the earliest completion.
    public var mfaRecoveryDelay: Int {
        get { self[AuthAPISettings.mfaRecoveryDelay] }
        set { self[AuthAPISettings.mfaRecoveryDelay] = newValue }
    }
    /// MFA recovery requests accepted per account in 24 hours.
    public var mfaRecoveryMaxPerDay: Int {
        get { self[AuthAPISettings.mfaRecoveryMaxPerDay] }
        set { self[AuthAPISettings.mfaRecoveryMaxPerDay] = newValue }
    }
    /// Lifetime of an email verification or email change link, seconds.
    public var emailVerificationTTL: Int {
        get { self[AuthAPISettings.emailVerificationTTL] }
        set { self[AuthAPISettings.emailVerificationTTL] = newValue }
    }
    /// Lifetime of a password reset link, seconds.
    public var passwordResetTTL: Int {
        get { self[AuthAPISettings.passwordResetTTL] }
        set { self[AuthAPISettings.passwordResetTTL] = newValue }
    }
    /// Whether password logins need a verified email.
    public var requireVerifiedEmail: Bool {
        get { self[AuthAPISettings.requireVerifiedEmail] }
        set { self[AuthAPISettings.requireVerifiedEmail] = newValue }
    }

    /// Creates a configuration with the HTTP and API settings given, every other setting at its default.
    public init(
        dataDirectory: String = "./data",
        host: String = "127.0.0.1",
        port: Int = 8080,
        issuer: String? = nil,
        allowedOrigins: [String]? = nil,
        adminKey: String? = nil,
        argon2MemoryKiB: Int = 65_536,
        argon2Iterations: Int = 3,
        argon2Parallelism: Int = 4,
        accessTokenTTL: Int = 900,
        sessionTTL: Int = 30 * 86_400,
        sessionIdleTimeout: Int = 7 * 86_400,
        sessionUpdateAge: Int = 86_400,
        refreshTTL: Int = 30 * 86_400,
        refreshGrace: Int = 30,
        maxBodyBytes: Int = 65_536,
        trustProxy: Bool = false,
        rpID: String = "localhost",
        rpName: String = "authd",
        webauthnUserVerification: WebAuthnUserVerification = .preferred,
        webauthnCounterPolicy: WebAuthnCounterPolicy = .reject,
        mfaRecoveryDelay: Int = 86_400,
        mfaRecoveryMaxPerDay: Int = 3,
        reauthWindow: Int = 300
    ) {
        self.init(
            dataDirectory: dataDirectory, host: host, port: port, issuer: issuer, allowedOrigins: allowedOrigins,
            maxBodyBytes: maxBodyBytes, trustProxy: trustProxy)
        self.adminKey = adminKey
        self.argon2MemoryKiB = argon2MemoryKiB
        self.argon2Iterations = argon2Iterations
        self.argon2Parallelism = argon2Parallelism
        self.accessTokenTTL = accessTokenTTL
        self.sessionTTL = sessionTTL
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionUpdateAge = sessionUpdateAge
        self.refreshTTL = refreshTTL
        self.refreshGrace = refreshGrace
        self.rpID = rpID
        self.rpName = rpName
        self.webauthnUserVerification = webauthnUserVerification
        self.webauthnCounterPolicy = webauthnCounterPolicy
        self.mfaRecoveryDelay = mfaRecoveryDelay
        self.mfaRecoveryMaxPerDay = mfaRecoveryMaxPerDay
        self.reauthWindow = reauthWindow
    }

    /// The external login providers (empty without `--oidc-providers`).
    public var oidcProviders: [OIDCProviderConfiguration] {
        get { self[AuthAPISettings.oidcProviders]?.providers ?? [] }
        set {
            let providers: OIDCProviderSet? = newValue.isEmpty ? nil : OIDCProviderSet(newValue)
            self[AuthAPISettings.oidcProviders] = providers
        }
    }
    /// URLs besides this origin's paths an external login may return to.
    public var allowedReturnURLs: [String] {
        get { self[AuthAPISettings.allowedReturnURL] }
        set { self[AuthAPISettings.allowedReturnURL] = newValue }
    }
}
