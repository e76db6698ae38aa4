import AuthAPI
import AuthHTTP
import Foundation
import Testing

@testable import authd

/// `authd serve`'s configuration: its command line read against the settings table, then flag > environment >
/// default, and validation.
@Suite struct ConfigurationTests {
    /// The configuration of `authd serve <arguments>` in `environment`.
    func resolve(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws -> ServerConfiguration {
        try AuthdSettings.resolve(arguments: arguments, environment: environment)
    }

    /// The error message of `authd serve <arguments>` in `environment`, or `nil` if it resolves.
    func error(_ arguments: [String] = [], _ environment: [String: String] = [:]) -> String? {
        do {
            _ = try resolve(arguments, environment)
            return nil
        } catch {
            return (error as? ConfigurationError)?.message
        }
    }

    @Test func defaults() throws {
        let config = try resolve()
        #expect(config == ServerConfiguration())
        #expect(config.dataDirectory == "./data")
        #expect(config.host == "127.0.0.1" && config.port == 8080)
        #expect(config.issuer == "http://localhost:8080")
        #expect(config.allowedOrigins == ["http://localhost:8080"])
        #expect(config.adminKey == nil)
        #expect(config.argon2MemoryKiB == 65_536 && config.argon2Iterations == 3 && config.argon2Parallelism == 4)
        #expect(config.accessTokenTTL == 900)
        #expect(config.sessionTTL == 2_592_000 && config.sessionIdleTimeout == 604_800 && config.sessionUpdateAge == 86_400)
        #expect(config.refreshTTL == 2_592_000 && config.refreshGrace == 30)
        #expect(config.maxBodyBytes == 65_536 && !config.trustProxy)
        #expect(config.rpID == "localhost" && config.rpName == "authd")
    }

    @Test func flagBeatsEnvironmentBeatsDefault() throws {
        let environment = [
            "AUTHD_LISTEN": "0.0.0.0:9000",
            "AUTHD_ARGON2_ITERATIONS": "5",
            "AUTHD_SESSION_TTL": "2d",
            "AUTHD_TRUST_PROXY": "yes",
            "AUTHD_DATA": "/var/lib/authd",
        ]
        let fromEnvironment = try resolve([], environment)
        #expect(fromEnvironment.host == "0.0.0.0" && fromEnvironment.port == 9000)
        #expect(fromEnvironment.argon2Iterations == 5)
        #expect(fromEnvironment.sessionTTL == 172_800)
        #expect(fromEnvironment.trustProxy)
        #expect(fromEnvironment.dataDirectory == "/var/lib/authd")
        #expect(fromEnvironment.argon2Parallelism == 4)  // default

        let withFlags = try resolve(
            ["--listen", "127.0.0.1:7000", "--argon2-iterations", "2", "--no-trust-proxy", "--session-ttl", "12h"],
            environment
        )
        #expect(withFlags.port == 7000)
        #expect(withFlags.argon2Iterations == 2)
        #expect(!withFlags.trustProxy)
        #expect(withFlags.sessionTTL == 43_200)
        #expect(withFlags.dataDirectory == "/var/lib/authd")  // not given as flag: environment
    }

    @Test func emptyEnvironmentValueCountsAsUnset() throws {
        #expect(try resolve([], ["AUTHD_LISTEN": ""]).port == 8080)
    }

    @Test func issuerAndOriginDefaultFollowPort() throws {
        let config = try resolve(["--listen", "127.0.0.1:18080"])
        #expect(config.issuer == "http://localhost:18080")
        #expect(config.allowedOrigins == ["http://localhost:18080"])
        let explicit = try resolve(["--listen", "127.0.0.1:18080", "--issuer", "https://auth.example.com/"])
        #expect(explicit.issuer == "https://auth.example.com")
    }

    @Test func originsRepeatableOrCommaSeparated() throws {
        let fromFlags = try resolve(["--origin", "https://A.example.com", "--origin", "http://localhost:3000/"], ["AUTHD_ORIGIN": "https://ignored.example"])
        #expect(fromFlags.allowedOrigins == ["https://a.example.com", "http://localhost:3000"])
        let fromEnvironment = try resolve([], ["AUTHD_ORIGIN": "https://a.example.com, https://b.example.com"])
        #expect(fromEnvironment.allowedOrigins == ["https://a.example.com", "https://b.example.com"])
        #expect(error(["--origin", "https://a.example.com/path"]) != nil)
        #expect(error(["--origin", "ftp://a.example.com"]) != nil)
    }

    @Test func listenForms() throws {
        let ipv6 = try resolve(["--listen", "[::1]:8443"])
        #expect(ipv6.host == "::1" && ipv6.port == 8443)
        #expect(ipv6.listenAddress == "[::1]:8443")
        #expect(try resolve(["--listen", "localhost:0"]).port == 0)
        #expect(error(["--listen", "8080"]) == "invalid value '8080' for --listen: expected HOST:PORT")
        #expect(error(["--listen", "::1:8080"]) != nil)
        #expect(error([], ["AUTHD_LISTEN": "host:99999"]) == "invalid value 'host:99999' for AUTHD_LISTEN: expected a port in 0...65535")
    }

    @Test func durations() throws {
        let config = try resolve([
            "--access-token-ttl", "15m", "--session-idle-timeout", "7d", "--session-update-age", "3600", "--refresh-ttl", "90s",
            "--refresh-grace", "0",
        ])
        #expect(config.accessTokenTTL == 900)
        #expect(config.sessionIdleTimeout == 604_800)
        #expect(config.sessionUpdateAge == 3_600)
        #expect(config.refreshTTL == 90)
        #expect(config.refreshGrace == 0)
        #expect(error(["--access-token-ttl", "0"]) != nil)
        #expect(error(["--access-token-ttl", "15x"]) != nil)
        #expect(error(["--access-token-ttl", "-5"]) != nil)
        #expect(error(["--session-ttl", "99999999999999999d"]) != nil)
    }

    @Test func errorsNameTheSource() {
        #expect(error(["--argon2-iterations", "zero"]) == "invalid value 'zero' for --argon2-iterations: expected an integer in 1...1024")
        #expect(error([], ["AUTHD_ARGON2_ITERATIONS": "0"]) == "invalid value '0' for AUTHD_ARGON2_ITERATIONS: expected an integer in 1...1024")
        #expect(error([], ["AUTHD_TRUST_PROXY": "maybe"]) == "invalid value 'maybe' for AUTHD_TRUST_PROXY: expected true or false")
        #expect(error(["--argon2-memory-kib", "16", "--argon2-parallelism", "4"])?.contains("--argon2-memory-kib") == true)
        #expect(error(["--log-level", "loud"]) != nil)
    }

    @Test func adminKeyIsValidatedWithoutEchoingIt() throws {
        #expect(try resolve([], ["AUTHD_ADMIN_KEY": "0123456789abcdef"]).adminKey == "0123456789abcdef")
        let message = error(["--admin-key", "short-secret"])
        #expect(message == "invalid value for --admin-key: expected at least 16 characters")
    }

    /// A file holding `contents` with permissions `mode`, removed by the caller.
    func keyFile(_ contents: String, mode: Int) throws -> String {
        let path = NSTemporaryDirectory() + "authd-admin-key-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// Threat: `--admin-key KEY` is visible to every local user in `ps`. `--admin-key-file` reads it from an
    /// owner-only file; the flag form still works but leaves a warning to log at start.
    @Test func adminKeyFileAndFlagWarning() throws {
        let good = try keyFile("0123456789abcdef-from-file\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: good) }
        let fromFile = try resolve(["--admin-key-file", good])
        #expect(fromFile.adminKey == "0123456789abcdef-from-file")
        #expect(fromFile.warnings.isEmpty)
        let fromVariable = try resolve([], ["AUTHD_ADMIN_KEY_FILE": good])
        #expect(fromVariable.adminKey == "0123456789abcdef-from-file")
        let ownerReadOnly = try keyFile("0123456789abcdef\r\n", mode: 0o400)
        defer { try? FileManager.default.removeItem(atPath: ownerReadOnly) }
        #expect(try resolve(["--admin-key-file", ownerReadOnly]).adminKey == "0123456789abcdef")

        // Group- or world-accessible files are refused (the key is never echoed).
        for mode in [0o640, 0o604, 0o644, 0o620, 0o660] {
            let path = try keyFile("0123456789abcdef-secret", mode: mode)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let message = error(["--admin-key-file", path])
            #expect(message?.contains("accessible by group or others") == true, "mode \(String(mode, radix: 8)): \(message ?? "accepted")")
            #expect(message?.contains("secret") == false)
        }
        let short = try keyFile("short\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: short) }
        #expect(error(["--admin-key-file", short])?.contains("at least 16 characters") == true)
        #expect(error(["--admin-key-file", "/nonexistent/authd-admin-key"])?.contains("cannot read") == true)
        #expect(error(["--admin-key-file", NSTemporaryDirectory()])?.contains("regular file") == true)
        // Only one source of the key.
        #expect(error(["--admin-key", "0123456789abcdef", "--admin-key-file", good])?.contains("give the admin key once") == true)
        #expect(error(["--admin-key-file", good], ["AUTHD_ADMIN_KEY": "0123456789abcdef"])?.contains("give the admin key once") == true)

        // The flag form works and warns; the variable form does not warn.
        let flag = try resolve(["--admin-key", "0123456789abcdef"])
        #expect(flag.adminKey == "0123456789abcdef")
        #expect(flag.warnings.count == 1)
        #expect(flag.warnings.first?.contains("--admin-key-file") == true)
        #expect(flag.warnings.first?.contains("0123456789abcdef") == false)
        #expect(try resolve([], ["AUTHD_ADMIN_KEY": "0123456789abcdef"]).warnings.isEmpty)
    }

    @Test func hstsFollowsTheIssuerScheme() throws {
        #expect(try resolve().strictTransportSecurity == nil)
        #expect(try resolve(["--issuer", "https://auth.example.com"]).strictTransportSecurity == "max-age=31536000")
        #expect(
            try resolve(["--issuer", "https://auth.example.com", "--hsts-include-subdomains"]).strictTransportSecurity
                == "max-age=31536000; includeSubDomains")
        #expect(try resolve(["--issuer", "http://auth.example.com"], ["AUTHD_HSTS_INCLUDE_SUBDOMAINS": "on"]).strictTransportSecurity == nil)
    }

    @Test func smtpTLSPolicy() throws {
        #expect(try resolve().smtpTLS == .opportunistic)
        #expect(try resolve(["--smtp-tls", "required"]).smtpTLS == .required)
        #expect(try resolve([], ["AUTHD_SMTP_TLS": "OFF"]).smtpTLS == .off)
        #expect(error(["--smtp-tls", "sometimes"]) == "invalid value 'sometimes' for --smtp-tls: expected required, opportunistic or off")
        #expect(error(["--smtp-ca-file", "/nonexistent/ca.pem"]) == "invalid value '/nonexistent/ca.pem' for --smtp-ca-file: expected a readable PEM file")
        let ca = try keyFile("-----BEGIN CERTIFICATE-----\n", mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: ca) }
        #expect(try resolve(["--smtp-ca-file", ca]).smtpCAFile == ca)
    }

    @Test func rpNameMustBeAnOTPIssuer() throws {
        #expect(try resolve(["--rp-name", "Example Inc."]).rpName == "Example Inc.")
        #expect(error(["--rp-name", "Example: Inc"]) == "invalid value 'Example: Inc' for --rp-name: expected a name of at most 64 bytes without ':'")
        #expect(error(["--rp-name", String(repeating: "é", count: 33)]) != nil)
    }

    @Test func webauthnPolicies() throws {
        let defaults = try resolve([], [:])
        #expect(defaults.webauthnUserVerification == .preferred)
        #expect(defaults.webauthnCounterPolicy == .reject)
        let flags = try resolve(["--webauthn-user-verification", "required", "--webauthn-counter-policy", "warn"], [:])
        #expect(flags.webauthnUserVerification == .required)
        #expect(flags.webauthnCounterPolicy == .warn)
        let environment = try resolve([], ["AUTHD_WEBAUTHN_USER_VERIFICATION": "required", "AUTHD_WEBAUTHN_COUNTER_POLICY": "warn"])
        #expect(environment.webauthnUserVerification == .required)
        #expect(environment.webauthnCounterPolicy == .warn)
        #expect(error(["--webauthn-counter-policy", "ignore"]) == "invalid value 'ignore' for --webauthn-counter-policy: expected reject or warn")
        #expect(error(["--webauthn-user-verification", "always"]) == "invalid value 'always' for --webauthn-user-verification: expected preferred or required")
    }

    @Test func authdSettings() throws {
        let defaults = try resolve()
        #expect(defaults.headLogInterval == 300 && defaults.anchorInterval == 60 && defaults.anchorPaths == nil)
        #expect(defaults.mailFrom == "authd@localhost" && defaults.mailDirectory == nil && defaults.smtpRelay == nil)
        let given = try resolve(
            ["--head-log-interval", "1", "--smtp", "[::1]:2525", "--mail-dir", "/tmp/mail"],
            ["AUTHD_HEAD_LOG_INTERVAL": "5", "AUTHD_ANCHOR_INTERVAL": "2m", "AUTHD_MAIL_FROM": "auth@example.com"])
        #expect(given.headLogInterval == 1)
        #expect(given.anchorInterval == 120)
        #expect(given.smtpRelay == "[::1]:2525")
        #expect(given.mailDirectory == "/tmp/mail")
        #expect(given.mailFrom == "auth@example.com")
        #expect(try resolve(["--head-log-interval", "0"]).headLogInterval == 0)
        #expect(error(["--anchor-interval", "0"]) == "invalid value '0' for --anchor-interval: expected a duration such as 900, 90s, 15m, 12h or 30d (greater than 0)")
        #expect(error([], ["AUTHD_HEAD_LOG_INTERVAL": "soon"])?.hasPrefix("invalid value 'soon' for AUTHD_HEAD_LOG_INTERVAL:") == true)
        #expect(error(["--smtp", "mail.example.com:0"]) == "invalid value 'mail.example.com:0' for --smtp: expected HOST:PORT with a port in 1...65535")
        #expect(error(["--mail-from", "a@b.example\r\nRCPT TO:<x@y>"])?.hasSuffix("for --mail-from: expected an address such as authd@example.com") == true)
        #expect(error([], ["AUTHD_MAIL_FROM": "not an address"]) == "invalid value 'not an address' for AUTHD_MAIL_FROM: expected an address such as authd@example.com")
        // The anchor key and file go together.
        #expect(error(["--anchor-key", "/etc/authd/anchor.key"]) == "--anchor-key and --anchor-file go together")
        #expect(error([], ["AUTHD_ANCHOR_FILE": "/var/log/anchors"]) == "--anchor-key and --anchor-file go together")
        let anchored = try resolve(["--anchor-key", "/etc/authd/anchor.key"], ["AUTHD_ANCHOR_FILE": "/var/log/anchors"])
        #expect(anchored.anchorPaths?.key == "/etc/authd/anchor.key" && anchored.anchorPaths?.file == "/var/log/anchors")
    }
}
