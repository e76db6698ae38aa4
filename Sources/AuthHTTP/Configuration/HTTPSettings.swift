import Foundation
import Logging

/// The settings of the HTTP server (AuthHTTP): where it listens and keeps its data, what it trusts, the issuer and
/// origins, the log level. The domain's settings are declared by their modules (AuthAPI's `AuthAPISettings`, authd's
/// `ServeSettings`); authd joins them all.
///
/// To add a setting: one `Setting` here (or in the module that uses it), listed in ``table``, plus a typed property
/// on ``ServerConfiguration`` if its readers prefer one to `configuration[setting]`.
public enum HTTPSettings {
    static let owner = "AuthHTTP"

    /// `--data DIR`.
    public static let data = Setting(
        "data", env: "AUTHD_DATA", value: "dir", default: "./data", kind: .directory, owner: owner,
        help: "Directory holding the event log.")

    /// `--listen HOST:PORT`.
    public static let listen = Setting(
        "listen", env: "AUTHD_LISTEN", value: "host:port", default: ListenAddress(host: "127.0.0.1", port: 8080),
        shown: "127.0.0.1:8080",
        kind: SettingKind<ListenAddress>("HOST:PORT") { input in
            let (host, port) = try input.hostAndPort()
            return ListenAddress(host: host, port: port)
        }, owner: owner,
        help: "Address to listen on, HOST:PORT ([ADDR]:PORT for IPv6; port 0 picks a free port).")

    /// `--issuer URL`; `nil`: `http://localhost:PORT`.
    public static let issuer = Setting<String?>(
        "issuer", env: "AUTHD_ISSUER", value: "url", default: nil, shown: "http://localhost:PORT",
        kind: SettingKind<String>("http(s) URL", parse: parseIssuer).optional, owner: owner,
        help: "Issuer URL written into tokens (http or https).")

    /// `--origin URL` (repeatable); empty: `http://localhost:PORT`.
    public static let origin = Setting<[String]>(
        "origin", env: "AUTHD_ORIGIN", value: "url", default: [], shown: "http://localhost:PORT",
        kind: .list(of: SettingKind<String>("origin", parse: parseOrigin)), owner: owner,
        help: "Browser origin allowed to send cookie-authenticated requests (CSRF check); repeatable.")

    /// `--max-body-bytes N`.
    public static let maxBodyBytes = Setting(
        "max-body-bytes", env: "AUTHD_MAX_BODY_BYTES", value: "bytes", default: 65_536,
        kind: .integer(in: 1...(16 * 1024 * 1024)), owner: owner,
        help: "Largest accepted request body, in bytes.")

    /// `--trust-proxy` / `--no-trust-proxy`.
    public static let trustProxy = Setting(
        "trust-proxy", env: "AUTHD_TRUST_PROXY", default: false, shown: "off", kind: .boolean, owner: owner,
        help: "Take the client IP from the right-most X-Forwarded-For entry (only behind a reverse proxy).")

    /// `--log-level LEVEL`.
    public static let logLevel = Setting(
        "log-level", env: "AUTHD_LOG_LEVEL", value: "level", default: Logger.Level.info,
        kind: .choice(expected: "expected one of trace, debug, info, notice, warning, error, critical"), owner: owner,
        help: "Log level: trace, debug, info, notice, warning, error, critical.")

    /// `--hsts-include-subdomains` / `--no-hsts-include-subdomains`.
    public static let hstsIncludeSubdomains = Setting(
        "hsts-include-subdomains", env: "AUTHD_HSTS_INCLUDE_SUBDOMAINS", default: false, shown: "off", kind: .boolean,
        owner: owner,
        help: "Add includeSubDomains to Strict-Transport-Security (sent when the issuer is https): only if every "
            + "subdomain of the issuer's host serves HTTPS.")

    /// The HTTP settings, in help order.
    public static let table = SettingsTable([
        data.spec, listen.spec, issuer.spec, origin.spec, maxBodyBytes.spec, trustProxy.spec, logLevel.spec,
        hstsIncludeSubdomains.spec,
    ])

    /// Parses an http(s) URL with a host and no query or fragment; drops a trailing slash.
    static func parseIssuer(_ value: SettingInput) throws(ConfigurationError) -> String {
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
    static func parseOrigin(_ value: SettingInput) throws(ConfigurationError) -> String {
        let normalized = CSRFPolicy.normalizeOrigin(value.text.trimmingCharacters(in: .whitespaces))
        guard let url = URL(string: normalized), let scheme = url.scheme, scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.path.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw value.invalid("expected an origin such as https://app.example.com[:port]")
        }
        return normalized
    }
}

/// A host (name or address, IPv6 without brackets) and a port.
public struct ListenAddress: SettingValue, CustomStringConvertible {
    /// Host or address to bind.
    public var host: String
    /// Port; 0 picks a free one.
    public var port: Int

    /// `host` and `port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, `[host]:port` for IPv6.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

// MARK: - Typed access to the HTTP settings

extension ServerConfiguration {
    /// Directory holding the event log.
    public var dataDirectory: String {
        get { self[HTTPSettings.data] }
        set { self[HTTPSettings.data] = newValue }
    }
    /// Host or address to bind.
    public var host: String {
        get { self[HTTPSettings.listen].host }
        set { self[HTTPSettings.listen].host = newValue }
    }
    /// Port to bind; 0 picks a free one.
    public var port: Int {
        get { self[HTTPSettings.listen].port }
        set { self[HTTPSettings.listen].port = newValue }
    }
    /// Issuer URL written into tokens, without a trailing slash (`http://localhost:<port>` unless set).
    public var issuer: String {
        get { self[HTTPSettings.issuer] ?? "http://localhost:\(port)" }
        set { self[HTTPSettings.issuer] = newValue }
    }
    /// Origins allowed for cookie-authenticated unsafe requests, normalized (`http://localhost:<port>` unless set).
    public var allowedOrigins: [String] {
        get {
            let origins = self[HTTPSettings.origin]
            return origins.isEmpty ? ["http://localhost:\(port)"] : origins
        }
        set { self[HTTPSettings.origin] = newValue }
    }
    /// Largest accepted request body, bytes.
    public var maxBodyBytes: Int {
        get { self[HTTPSettings.maxBodyBytes] }
        set { self[HTTPSettings.maxBodyBytes] = newValue }
    }
    /// Whether to take the client IP from `X-Forwarded-For`.
    public var trustProxy: Bool {
        get { self[HTTPSettings.trustProxy] }
        set { self[HTTPSettings.trustProxy] = newValue }
    }
    /// Log level.
    public var logLevel: Logger.Level {
        get { self[HTTPSettings.logLevel] }
        set { self[HTTPSettings.logLevel] = newValue }
    }
    /// Whether `Strict-Transport-Security` (sent when the issuer is https) carries `includeSubDomains`.
    public var hstsIncludeSubdomains: Bool {
        get { self[HTTPSettings.hstsIncludeSubdomains] }
        set { self[HTTPSettings.hstsIncludeSubdomains] = newValue }
    }
}
