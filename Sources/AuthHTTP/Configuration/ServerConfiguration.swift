import Foundation
import Logging

/// Everything `authd serve` is configured with. Durations are whole seconds.
///
/// Build it with ``resolve(flags:environment:)``, which applies flag > environment > default and
/// validates every value; the memberwise initializer (all defaults) is for tests and embedding.
public struct ServerConfiguration: Sendable, Equatable {
    /// Directory holding the event log.
    public var dataDirectory: String
    /// Host or address to bind.
    public var host: String
    /// Port to bind; 0 picks a free one.
    public var port: Int
    /// Issuer URL written into tokens, without a trailing slash.
    public var issuer: String
    /// Origins allowed for cookie-authenticated unsafe requests, normalized.
    public var allowedOrigins: [String]
    /// Admin API key; `nil` disables the admin API.
    public var adminKey: String?
    /// Argon2id memory cost, KiB.
    public var argon2MemoryKiB: Int
    /// Argon2id iterations.
    public var argon2Iterations: Int
    /// Argon2id lanes.
    public var argon2Parallelism: Int
    /// Access token lifetime, seconds.
    public var accessTokenTTL: Int
    /// Absolute session lifetime, seconds.
    public var sessionTTL: Int
    /// Session idle timeout, seconds.
    public var sessionIdleTimeout: Int
    /// Age of a session's last-seen time after which a request refreshes it, seconds.
    public var sessionUpdateAge: Int
    /// Refresh token lifetime, seconds.
    public var refreshTTL: Int
    /// Grace period for a just-rotated refresh token, seconds (0: none).
    public var refreshGrace: Int
    /// Largest accepted request body, bytes.
    public var maxBodyBytes: Int
    /// Whether to take the client IP from `X-Forwarded-For`.
    public var trustProxy: Bool
    /// WebAuthn relying party id.
    public var rpID: String
    /// WebAuthn relying party name.
    public var rpName: String
    /// WebAuthn user verification: `preferred` or `required`.
    public var webauthnUserVerification: WebAuthnUserVerification
    /// WebAuthn signature counter regression policy: `reject` or `warn`.
    public var webauthnCounterPolicy: WebAuthnCounterPolicy
    /// Seconds between an MFA recovery request and the earliest completion.
    public var mfaRecoveryDelay: Int
    /// MFA recovery requests accepted per account in 24 hours.
    public var mfaRecoveryMaxPerDay: Int
    /// Seconds a login, step-up or re-authentication counts as recent authentication for sensitive changes.
    public var reauthWindow: Int
    /// SMTP relay for notices, `host:port`; `nil` writes them to ``mailDirectory``.
    public var smtpRelay: String?
    /// Sender address of notices.
    public var mailFrom: String
    /// Directory for `.eml` notices when no relay is set; `nil` means `<data>/mail`.
    public var mailDirectory: String?
    /// Log level.
    public var logLevel: Logger.Level
    /// `STARTTLS` to the SMTP relay.
    public var smtpTLS: SMTPTLS = .opportunistic
    /// PEM trust anchors for the relay's certificate under ``SMTPTLS/required``; `nil`: the system's.
    public var smtpCAFile: String?
    /// Whether `Strict-Transport-Security` (sent when the issuer is https) carries `includeSubDomains`.
    public var hstsIncludeSubdomains: Bool = false
    /// Warnings about the configuration, to be logged at start (for example: the admin key given as a flag).
    public var warnings: [String] = []

    /// The `Strict-Transport-Security` value: `max-age=31536000` (one year), with `; includeSubDomains` if
    /// configured, when the issuer is an https URL; `nil` for an http issuer (HSTS over plain HTTP is ignored by
    /// browsers, and a development server on localhost must not pin HTTPS for the host).
    public var strictTransportSecurity: String? {
        guard issuer.lowercased().hasPrefix("https://") else { return nil }
        return "max-age=31536000" + (hstsIncludeSubdomains ? "; includeSubDomains" : "")
    }

    /// WebAuthn user verification policy.
    public enum WebAuthnUserVerification: String, Sendable, Equatable, CaseIterable {
        case preferred, required
    }

    /// When the notifier uses `STARTTLS` with the SMTP relay.
    public enum SMTPTLS: String, Sendable, Equatable, CaseIterable {
        /// Always, certificate verified; never clear text.
        case required
        /// When offered, certificate not verified; clear text otherwise.
        case opportunistic
        /// Never.
        case off
    }

    /// WebAuthn counter-regression policy.
    public enum WebAuthnCounterPolicy: String, Sendable, Equatable, CaseIterable {
        case reject, warn
    }

    /// Creates a configuration; `issuer` and `allowedOrigins` default to `http://localhost:<port>`.
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
        reauthWindow: Int = 300,
        smtpRelay: String? = nil,
        mailFrom: String = "authd@localhost",
        mailDirectory: String? = nil,
        logLevel: Logger.Level = .info
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.issuer = issuer ?? "http://localhost:\(port)"
        self.allowedOrigins = allowedOrigins ?? ["http://localhost:\(port)"]
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
        self.maxBodyBytes = maxBodyBytes
        self.trustProxy = trustProxy
        self.rpID = rpID
        self.rpName = rpName
        self.webauthnUserVerification = webauthnUserVerification
        self.webauthnCounterPolicy = webauthnCounterPolicy
        self.mfaRecoveryDelay = mfaRecoveryDelay
        self.mfaRecoveryMaxPerDay = mfaRecoveryMaxPerDay
        self.reauthWindow = reauthWindow
        self.smtpRelay = smtpRelay
        self.mailFrom = mailFrom
        self.mailDirectory = mailDirectory
        self.logLevel = logLevel
    }

    /// `host:port` (`[host]:port` for IPv6), for logs.
    public var listenAddress: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

// MARK: - Resolution: flag > environment > default

extension ServerConfiguration {
    /// Builds the configuration from command-line values and the environment.
    ///
    /// For each ``ServerSetting``, the flag's values win if given, else the environment variable
    /// (``ServerSetting/environmentVariable``) if set and non-empty, else the default. `origin` takes
    /// several flag values, or a comma-separated variable; `trustProxy` takes `true`/`false`
    /// (also `1`/`0`, `yes`/`no`, `on`/`off`).
    ///
    /// - Parameters:
    ///   - flags: the values given on the command line, by setting (absent or empty: not given).
    ///   - environment: the process environment.
    /// - Throws: ``ConfigurationError`` naming the flag or variable of the first invalid value.
    public static func resolve(
        flags: [ServerSetting: [String]],
        environment: [String: String]
    ) throws(ConfigurationError) -> ServerConfiguration {
        let source = SettingSource(flags: flags, environment: environment)
        var config = ServerConfiguration()

        if let value = source.value(.data) {
            guard !value.text.isEmpty else { throw value.invalid("expected a directory path") }
            config.dataDirectory = value.text
        }
        if let value = source.value(.listen) {
            (config.host, config.port) = try parseListen(value)
        }
        config.issuer = "http://localhost:\(config.port)"
        config.allowedOrigins = [config.issuer]
        if let value = source.value(.issuer) {
            config.issuer = try parseIssuer(value)
        }
        if let values = source.values(.origin) {
            config.allowedOrigins = try values.map(parseOrigin)
        }
        let adminKeyValue = source.value(.adminKey)
        let adminKeyFileValue = source.value(.adminKeyFile)
        if adminKeyValue != nil, adminKeyFileValue != nil {
            throw ConfigurationError(
                "give the admin key once: \(adminKeyValue!.origin) and \(adminKeyFileValue!.origin) are both set")
        }
        if let value = adminKeyValue {
            guard value.text.count >= 16 else { throw value.invalid("expected at least 16 characters", echo: false) }
            config.adminKey = value.text
            if value.fromFlag {
                config.warnings.append(
                    "\(ServerSetting.adminKey.flag) puts the admin key on the command line, where every local user can read it "
                        + "(ps, /proc); use \(ServerSetting.adminKeyFile.flag) or \(ServerSetting.adminKey.environmentVariable)")
            }
        }
        if let value = adminKeyFileValue {
            config.adminKey = try readAdminKeyFile(value)
        }
        if let value = source.value(.argon2MemoryKiB) { config.argon2MemoryKiB = try value.integer(in: 8...4_194_304) }
        if let value = source.value(.argon2Iterations) { config.argon2Iterations = try value.integer(in: 1...1024) }
        if let value = source.value(.argon2Parallelism) { config.argon2Parallelism = try value.integer(in: 1...255) }
        if let value = source.value(.accessTokenTTL) { config.accessTokenTTL = try value.duration(allowZero: false) }
        if let value = source.value(.sessionTTL) { config.sessionTTL = try value.duration(allowZero: false) }
        if let value = source.value(.sessionIdleTimeout) { config.sessionIdleTimeout = try value.duration(allowZero: false) }
        if let value = source.value(.sessionUpdateAge) { config.sessionUpdateAge = try value.duration(allowZero: false) }
        if let value = source.value(.refreshTTL) { config.refreshTTL = try value.duration(allowZero: false) }
        if let value = source.value(.refreshGrace) { config.refreshGrace = try value.duration(allowZero: true) }
        if let value = source.value(.maxBodyBytes) { config.maxBodyBytes = try value.integer(in: 1...(16 * 1024 * 1024)) }
        if let value = source.value(.trustProxy) { config.trustProxy = try value.boolean() }
        if let value = source.value(.hstsIncludeSubdomains) { config.hstsIncludeSubdomains = try value.boolean() }
        if let value = source.value(.rpID) {
            guard !value.text.isEmpty, !value.text.contains(where: { $0 == "/" || $0 == ":" || $0 == " " }) else {
                throw value.invalid("expected a domain name such as example.com")
            }
            config.rpID = value.text.lowercased()
        }
        if let value = source.value(.rpName) {
            guard !value.text.trimmingCharacters(in: .whitespaces).isEmpty else { throw value.invalid("expected a non-empty name") }
            // The name is also the issuer of `otpauth://` URIs, whose label cannot hold a colon in the issuer.
            guard !value.text.contains(":"), value.text.utf8.count <= 64 else {
                throw value.invalid("expected a name of at most 64 bytes without ':'")
            }
            config.rpName = value.text
        }
        if let value = source.value(.webauthnUserVerification) {
            guard let policy = WebAuthnUserVerification(rawValue: value.text.lowercased()) else {
                throw value.invalid("expected preferred or required")
            }
            config.webauthnUserVerification = policy
        }
        if let value = source.value(.webauthnCounterPolicy) {
            guard let policy = WebAuthnCounterPolicy(rawValue: value.text.lowercased()) else {
                throw value.invalid("expected reject or warn")
            }
            config.webauthnCounterPolicy = policy
        }
        if let value = source.value(.mfaRecoveryDelay) { config.mfaRecoveryDelay = try value.duration(allowZero: true) }
        if let value = source.value(.mfaRecoveryMaxPerDay) { config.mfaRecoveryMaxPerDay = try value.integer(in: 1...1_000) }
        if let value = source.value(.reauthWindow) { config.reauthWindow = try value.duration(allowZero: false) }
        if let value = source.value(.smtp) {
            let (host, port) = try parseListen(value)
            guard port > 0 else { throw value.invalid("expected HOST:PORT with a port in 1...65535") }
            config.smtpRelay = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
        if let value = source.value(.smtpTLS) {
            guard let policy = SMTPTLS(rawValue: value.text.lowercased()) else { throw value.invalid("expected required, opportunistic or off") }
            config.smtpTLS = policy
        }
        if let value = source.value(.smtpCAFile) {
            guard !value.text.isEmpty, FileManager.default.isReadableFile(atPath: value.text) else {
                throw value.invalid("expected a readable PEM file")
            }
            config.smtpCAFile = value.text
        }
        if let value = source.value(.mailFrom) {
            // Its shape (a plain address, safe in a header and an SMTP command) is checked where mail is made:
            // authd checks it with `MailMessage.isPlainAddress` before starting.
            guard !value.text.isEmpty else { throw value.invalid("expected an address such as authd@example.com") }
            config.mailFrom = value.text
        }
        if let value = source.value(.mailDir) {
            guard !value.text.isEmpty else { throw value.invalid("expected a directory path") }
            config.mailDirectory = value.text
        }
        if let value = source.value(.logLevel) {
            guard let level = Logger.Level(rawValue: value.text.lowercased()) else {
                throw value.invalid("expected one of trace, debug, info, notice, warning, error, critical")
            }
            config.logLevel = level
        }

        if config.argon2MemoryKiB < 8 * config.argon2Parallelism {
            throw ConfigurationError(
                "\(ServerSetting.argon2MemoryKiB.flag) (\(config.argon2MemoryKiB)) must be at least 8 × "
                    + "\(ServerSetting.argon2Parallelism.flag) (\(config.argon2Parallelism))"
            )
        }
        return config
    }

    /// Reads the admin key from a file that only its owner may read or write (no group or other permission bits: a
    /// key readable by others is refused, not used). A trailing newline (or CR LF) is dropped; the key must then be
    /// at least 16 characters.
    static func readAdminKeyFile(_ value: SettingValue) throws(ConfigurationError) -> String {
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

    /// Parses `HOST:PORT` or `[IPv6]:PORT`.
    static func parseListen(_ value: SettingValue) throws(ConfigurationError) -> (String, Int) {
        let text = value.text
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw value.invalid("expected [ADDRESS]:PORT")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw value.invalid("expected HOST:PORT") }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw value.invalid("write IPv6 addresses as [ADDRESS]:PORT") }
        }
        guard !host.isEmpty else { throw value.invalid("expected HOST:PORT with a non-empty host") }
        guard let number = Int(port), (0...65_535).contains(number) else {
            throw value.invalid("expected a port in 0...65535")
        }
        return (String(host), number)
    }

    /// Parses an http(s) URL with a host and no query or fragment; drops a trailing slash.
    static func parseIssuer(_ value: SettingValue) throws(ConfigurationError) -> String {
        var text = value.text
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw value.invalid("expected an http or https URL without query or fragment")
        }
        return text
    }

    /// Parses an origin, `scheme://host[:port]`; returns it normalized (lowercase, no trailing slash).
    static func parseOrigin(_ value: SettingValue) throws(ConfigurationError) -> String {
        let normalized = CSRFPolicy.normalizeOrigin(value.text.trimmingCharacters(in: .whitespaces))
        guard let url = URL(string: normalized), let scheme = url.scheme, scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.path.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw value.invalid("expected an origin such as https://app.example.com[:port]")
        }
        return normalized
    }
}

/// Where each setting's value comes from.
struct SettingSource {
    let flags: [ServerSetting: [String]]
    let environment: [String: String]

    /// The single value of `setting` (the last flag value, else the variable), if given.
    func value(_ setting: ServerSetting) -> SettingValue? {
        if let given = flags[setting], let last = given.last {
            return SettingValue(setting: setting, text: last, fromFlag: true)
        }
        if let text = environment[setting.environmentVariable], !text.isEmpty {
            return SettingValue(setting: setting, text: text, fromFlag: false)
        }
        return nil
    }

    /// All values of a repeatable setting: every flag value, else the comma-separated variable.
    func values(_ setting: ServerSetting) -> [SettingValue]? {
        if let given = flags[setting], !given.isEmpty {
            return given.map { SettingValue(setting: setting, text: $0, fromFlag: true) }
        }
        if let text = environment[setting.environmentVariable], !text.isEmpty {
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return items.isEmpty ? nil : items.map { SettingValue(setting: setting, text: $0, fromFlag: false) }
        }
        return nil
    }
}

/// One raw value and where it came from, with typed parsers.
struct SettingValue {
    let setting: ServerSetting
    let text: String
    let fromFlag: Bool

    /// `--flag` or `AUTHD_VARIABLE`.
    var origin: String { fromFlag ? setting.flag : setting.environmentVariable }

    /// An error naming the value's origin; `echo: false` keeps secrets out of the message.
    func invalid(_ expectation: String, echo: Bool = true) -> ConfigurationError {
        let shown = echo ? " '\(text)'" : ""
        return ConfigurationError("invalid value\(shown) for \(origin): \(expectation)")
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw invalid("expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// Seconds from `N`, `Ns`, `Nm`, `Nh` or `Nd`.
    func duration(allowZero: Bool) throws(ConfigurationError) -> Int {
        let expectation = "expected a duration such as 900, 90s, 15m, 12h or 30d" + (allowZero ? "" : " (greater than 0)")
        var digits = Substring(text.lowercased())
        var unit = 1
        if let last = digits.last, last.isLetter {
            switch last {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3_600
            case "d": unit = 86_400
            default: throw invalid(expectation)
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let number = Int(digits) else {
            throw invalid(expectation)
        }
        let (seconds, overflow) = number.multipliedReportingOverflow(by: unit)
        guard !overflow, seconds <= 100 * 365 * 86_400, allowZero || seconds > 0 else { throw invalid(expectation) }
        return seconds
    }

    func boolean() throws(ConfigurationError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw invalid("expected true or false")
        }
    }
}
