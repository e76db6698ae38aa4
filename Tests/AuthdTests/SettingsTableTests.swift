import ArgumentParser
import AuthAPI
import AuthHTTP
import Foundation
import TestSupport
import Testing

@testable import authd

/// The settings table of `authd serve`: complete and consistent, read by the command line, and the source of
/// `authd serve --help` and docs/CONFIG.md.
@Suite struct SettingsTableTests {
    let settings = AuthdSettings.table.settings

    /// Every flag `authd serve` took before the table, and the Python tests' command lines depend on: none may go.
    static let knownFlags = [
        "data", "listen", "issuer", "origin", "admin-key", "admin-key-file", "argon2-memory-kib", "argon2-iterations",
        "argon2-parallelism", "access-token-ttl", "session-ttl", "session-idle-timeout", "session-update-age", "refresh-ttl",
        "refresh-grace", "max-body-bytes", "trust-proxy", "rp-id", "rp-name", "webauthn-user-verification",
        "webauthn-counter-policy", "mfa-recovery-delay", "mfa-recovery-max-per-day", "reauth-window", "smtp", "smtp-tls",
        "smtp-ca-file", "mail-from", "mail-dir", "log-level", "hsts-include-subdomains", "head-log-interval", "anchor-key",
        "anchor-file", "anchor-interval",
    ]

    @Test func flagsAndVariablesAreUniqueAndMatch() {
        let flags = settings.map(\.flagName)
        #expect(Set(flags).count == flags.count, "duplicate flags: \(flags)")
        let variables = settings.map(\.environmentVariable)
        #expect(Set(variables).count == variables.count, "duplicate variables: \(variables)")
        for spec in settings {
            let expected = "AUTHD_" + spec.flagName.uppercased().replacingOccurrences(of: "-", with: "_")
            #expect(spec.environmentVariable == expected, "\(spec.flag): variable \(spec.environmentVariable), expected \(expected)")
            #expect(spec.flagName.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(spec.flag)")
            #expect(!spec.abstract.isEmpty && !spec.defaultDescription.isEmpty, "\(spec.flag)")
            #expect(spec.help.contains(spec.environmentVariable) && spec.help.contains(spec.defaultDescription), "\(spec.flag)")
            #expect(spec.isBoolean || !spec.valueName.isEmpty, "\(spec.flag)")
            #expect(AuthdSettings.files.contains { $0.owner == spec.owner }, "\(spec.flag): owner \(spec.owner) has no file")
        }
        // A `--no-x` flag of a boolean must not shadow another setting.
        for spec in settings where spec.isBoolean {
            #expect(!flags.contains("no-" + spec.flagName))
        }
    }

    @Test func everyKnownFlagIsStillThere() {
        let flags = Set(settings.map(\.flagName))
        for flag in Self.knownFlags {
            #expect(flags.contains(flag), "--\(flag) is gone")
        }
    }

    /// Domain settings are declared by their modules; AuthHTTP keeps only the HTTP server's.
    @Test func ownersDeclareTheirSettings() {
        let owners = Dictionary(settings.map { ($0.flagName, $0.owner) }, uniquingKeysWith: { first, _ in first })
        #expect(HTTPSettings.table.settings.allSatisfy { $0.owner == "AuthHTTP" })
        #expect(AuthAPISettings.table.settings.allSatisfy { $0.owner == "AuthAPI" })
        #expect(ServeSettings.table.settings.allSatisfy { $0.owner == "authd" })
        for flag in ["rp-id", "webauthn-user-verification", "webauthn-counter-policy", "mfa-recovery-delay", "argon2-memory-kib"] {
            #expect(owners[flag] == "AuthAPI", "--\(flag)")
        }
        for flag in ["smtp", "smtp-tls", "mail-from", "anchor-key", "head-log-interval"] {
            #expect(owners[flag] == "authd", "--\(flag)")
        }
    }

    /// Every setting is read from its flag (with a value of the right kind) and from its variable, and a bad value
    /// names the flag or the variable it came from.
    @Test func everySettingIsReadFromItsFlagAndVariable() throws {
        for spec in settings where !spec.isBoolean {
            let flags = try SettingArguments.parse([spec.flag, "x-value"], table: AuthdSettings.table)
            #expect(flags == [spec.flagName: ["x-value"]])
            let attached = try SettingArguments.parse([spec.flag + "=y-value"], table: AuthdSettings.table)
            #expect(attached == [spec.flagName: ["y-value"]])
        }
        let durations = settings.filter { $0.kindHelp == "Seconds, or a number with s/m/h/d." }
        #expect(durations.count >= 10)
        for spec in durations {
            let fromFlag = try AuthdSettings.resolve(arguments: [spec.flag, "2m"], environment: [spec.environmentVariable: "3m"])
            let fromVariable = try AuthdSettings.resolve(arguments: [], environment: [spec.environmentVariable: "3m"])
            #expect(fromFlag != fromVariable, "\(spec.flag)")
            #expect(fromVariable != ServerConfiguration(), "\(spec.flag)")
            for (arguments, environment, origin) in [
                ([spec.flag, "soon"], [String: String](), spec.flag), ([], [spec.environmentVariable: "soon"], spec.environmentVariable),
            ] {
                do {
                    _ = try AuthdSettings.resolve(arguments: arguments, environment: environment)
                    Issue.record("\(origin) soon accepted")
                } catch {
                    #expect(error.message.hasPrefix("invalid value 'soon' for \(origin): expected a duration"), "\(error.message)")
                }
            }
        }
    }

    @Test func commandLineForms() throws {
        let table = AuthdSettings.table
        let parsed = try SettingArguments.parse(
            ["--trust-proxy", "--refresh-grace", "0", "--origin", "https://a.example", "--origin=https://b.example", "--data", "x",
             "--data", "y", "--no-hsts-include-subdomains"],
            table: table)
        #expect(parsed["trust-proxy"] == ["true"])
        #expect(parsed["hsts-include-subdomains"] == ["false"])
        #expect(parsed["refresh-grace"] == ["0"])
        #expect(parsed["origin"] == ["https://a.example", "https://b.example"])
        #expect(parsed["data"] == ["x", "y"])
        let config = try AuthdSettings.resolve(arguments: ["--data", "x", "--data", "y"], environment: [:])
        #expect(config.dataDirectory == "y")  // a repeated single-valued option keeps its last value

        func failure(_ arguments: [String]) -> String? {
            do {
                _ = try SettingArguments.parse(arguments, table: table)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(failure(["--no-such-setting", "1"]) == "unknown option '--no-such-setting'; `authd serve --help` lists them")
        #expect(failure(["--data"]) == "missing value for --data <dir>")
        #expect(failure(["--data", "--listen", "127.0.0.1:1"]) == "missing value for --data <dir>")
        #expect(failure(["stray"]) == "unexpected argument 'stray'")
        #expect(failure(["--trust-proxy=yes"])?.hasPrefix("--trust-proxy takes no value") == true)
        #expect(failure(["--no-data"])?.hasPrefix("unknown option '--no-data'") == true)
    }

    /// argument-parser hands `serve` its arguments in order (the Python tests' command lines), and refuses unknown ones.
    @Test func serveCommandLine() throws {
        let arguments = [
            "serve", "--data", "/tmp/d", "--listen", "127.0.0.1:0", "--trust-proxy", "--refresh-grace", "0", "--argon2-memory-kib",
            "1024", "--origin", "https://a.example", "--head-log-interval", "1", "--origin=https://b.example", "--smtp-tls", "off",
        ]
        let command = try Authd.parseAsRoot(arguments)
        let serve = try #require(command as? Serve)
        #expect(serve.settings == Array(arguments.dropFirst()))
        let config = try AuthdSettings.resolve(arguments: serve.settings, environment: [:])
        #expect(config.trustProxy && config.refreshGrace == 0 && config.argon2MemoryKiB == 1024 && config.headLogInterval == 1)
        #expect(config.allowedOrigins == ["https://a.example", "https://b.example"] && config.smtpTLS == .off)
        #expect(throws: (any Error).self) { try Authd.parseAsRoot(["serve", "--no-such-setting", "1"]) }
    }

    @Test func helpListsEverySetting() {
        let help = Authd.helpMessage(for: Serve.self, columns: 100)
        for spec in settings {
            #expect(help.contains(spec.isBoolean ? "\(spec.flag), --no-\(spec.flagName)" : "\(spec.flag) <\(spec.valueName)>"), "\(spec.flag)")
            #expect(help.contains(spec.environmentVariable), "\(spec.flag)")
        }
        let top = Authd.helpMessage(columns: 100)
        for spec in settings {
            #expect(top.contains(spec.environmentVariable), "\(spec.environmentVariable)")
        }
    }

    /// docs/CONFIG.md is generated from the table; this fails when it is stale.
    @Test func configDocIsCurrent() throws {
        let path = Paths.repositoryRoot.appendingPathComponent("docs/CONFIG.md").path
        let committed = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(missing)"
        let generated = AuthdSettings.markdown
        #expect(
            committed == generated,
            "docs/CONFIG.md is stale: regenerate it with `swift run authd config-doc > docs/CONFIG.md` and commit it")
        for spec in settings {
            #expect(generated.contains("`\(spec.environmentVariable)`"), "\(spec.flag)")
        }
    }
}
