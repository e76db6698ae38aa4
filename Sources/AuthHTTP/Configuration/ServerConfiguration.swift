import Foundation
import Logging

/// Everything `authd serve` is configured with: one value per setting of the ``SettingsTable``, read with
/// `configuration[setting]` or the typed properties each module declares next to its settings (the HTTP ones in
/// ``HTTPSettings``, the API's in AuthAPI's `AuthAPISettings`, the server's own in authd). Durations are whole seconds.
///
/// Build it with ``resolve(flags:environment:table:)``, which applies flag > environment > default and validates every
/// value; the initializer (all defaults) is for tests and embedding.
public struct ServerConfiguration: Sendable, Equatable {
    /// The values that differ from their defaults, by flag name.
    var values = SettingValues()
    /// Warnings about the configuration, to be logged at start (for example: the admin key given as a flag).
    public var warnings: [String] = []

    /// The value of `setting` (its default unless given).
    public subscript<Value>(setting: Setting<Value>) -> Value {
        get { values.value(for: setting.flagName, default: setting.defaultValue) }
        set { values.set(newValue, for: setting.flagName, default: setting.defaultValue) }
    }

    /// Creates a configuration with the HTTP settings given and every other setting at its default; `issuer` and
    /// `allowedOrigins` default to `http://localhost:<port>`. (AuthAPI adds an initializer taking its settings too.)
    public init(
        dataDirectory: String = "./data",
        host: String = "127.0.0.1",
        port: Int = 8080,
        issuer: String? = nil,
        allowedOrigins: [String]? = nil,
        maxBodyBytes: Int = 65_536,
        trustProxy: Bool = false
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        if let issuer { self.issuer = issuer }
        if let allowedOrigins { self.allowedOrigins = allowedOrigins }
        self.maxBodyBytes = maxBodyBytes
        self.trustProxy = trustProxy
    }

    /// `host:port` (`[host]:port` for IPv6), for logs.
    public var listenAddress: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The `Strict-Transport-Security` value: `max-age=31536000` (one year), with `; includeSubDomains` if
    /// configured, when the issuer is an https URL; `nil` for an http issuer (HSTS over plain HTTP is ignored by
    /// browsers, and a development server on localhost must not pin HTTPS for the host).
    public var strictTransportSecurity: String? {
        guard issuer.lowercased().hasPrefix("https://") else { return nil }
        return "max-age=31536000" + (hstsIncludeSubdomains ? "; includeSubDomains" : "")
    }
}

// MARK: - Resolution: flag > environment > default

extension ServerConfiguration {
    /// Builds the configuration from command-line values and the environment.
    ///
    /// For each setting of `table`, the flag's values win if given, else the environment variable
    /// (``SettingSpec/environmentVariable``) if set and non-empty, else the default. A list setting takes several
    /// flag values, or a comma-separated variable; a boolean takes `true`/`false` (also `1`/`0`, `yes`/`no`,
    /// `on`/`off`). Then the table's checks run on the result.
    ///
    /// - Parameters:
    ///   - flags: the values given on the command line, by flag name without dashes (absent or empty: not given).
    ///   - environment: the process environment.
    ///   - table: the settings; ``HTTPSettings/table`` alone, or all of them (authd's `AuthdSettings.table`).
    /// - Throws: ``ConfigurationError`` naming the flag or variable of the first invalid value.
    public static func resolve(
        flags: [String: [String]],
        environment: [String: String],
        table: SettingsTable
    ) throws(ConfigurationError) -> ServerConfiguration {
        func inputs(_ spec: SettingSpec) -> [SettingInput]? {
            if let given = flags[spec.flagName], !given.isEmpty {
                let values = spec.isList ? given : [given[given.count - 1]]
                return values.map { SettingInput(text: $0, origin: spec.flag, fromFlag: true, echo: !spec.isSecret) }
            }
            guard let text = environment[spec.environmentVariable], !text.isEmpty else { return nil }
            let values =
                spec.isList
                ? text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : [text]
            guard !values.isEmpty else { return nil }
            return values.map { SettingInput(text: $0, origin: spec.environmentVariable, fromFlag: false, echo: !spec.isSecret) }
        }

        for spec in table.settings {
            guard let exclusive = spec.exclusiveWith, let other = table.spec(flagName: exclusive.flagName) else { continue }
            if let mine = inputs(spec)?.first, let theirs = inputs(other)?.first {
                throw ConfigurationError("\(exclusive.message): \(mine.origin) and \(theirs.origin) are both set")
            }
        }
        var config = ServerConfiguration()
        for spec in table.settings {
            guard let given = inputs(spec) else { continue }
            do {
                try spec.apply(&config, given)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError("invalid value for \(given[0].origin): \(error)")
            }
            if given[0].fromFlag, let warning = spec.flagWarning {
                config.warnings.append(warning)
            }
        }
        for check in table.checks {
            do {
                try check(config)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError("\(error)")
            }
        }
        return config
    }
}
