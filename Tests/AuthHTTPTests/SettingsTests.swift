import AuthHTTP
import Foundation
import Logging
import Testing

/// The settings machinery in AuthHTTP on its own: the HTTP table resolves without the API's or authd's settings,
/// kinds parse and refuse values naming their origin, and a value equal to its default is no value at all.
@Suite struct SettingsTests {
    @Test func httpTableResolvesAlone() throws {
        let config = try ServerConfiguration.resolve(
            flags: ["listen": ["[::1]:9443"], "trust-proxy": ["true"], "origin": ["https://A.example", "https://b.example/"]],
            environment: ["AUTHD_LOG_LEVEL": "DEBUG", "AUTHD_ISSUER": "https://auth.example/", "AUTHD_LISTEN": "127.0.0.1:1"],
            table: HTTPSettings.table)
        #expect(config.host == "::1" && config.port == 9443 && config.listenAddress == "[::1]:9443")
        #expect(config.trustProxy && config.logLevel == .debug)
        #expect(config.issuer == "https://auth.example" && config.strictTransportSecurity == "max-age=31536000")
        #expect(config.allowedOrigins == ["https://a.example", "https://b.example"])
        // Settings of other tables are not read: an API flag given to the HTTP table alone is ignored.
        #expect(try ServerConfiguration.resolve(flags: ["rp-id": ["x/y"]], environment: [:], table: HTTPSettings.table) == ServerConfiguration())
    }

    @Test func aValueEqualToItsDefaultIsNoValue() {
        var config = ServerConfiguration()
        config.maxBodyBytes = 1
        #expect(config != ServerConfiguration())
        config.maxBodyBytes = 65_536
        #expect(config == ServerConfiguration())
        config[HTTPSettings.logLevel] = .error
        #expect(config.logLevel == .error && config != ServerConfiguration())
    }

    @Test func kindsParseAndNameTheOrigin() throws {
        let setting = Setting(
            "window", env: "AUTHD_WINDOW", value: "duration", default: 60, kind: .duration(allowZero: false), owner: "Tests",
            help: "A window.")
        let table = SettingsTable([setting.spec])
        #expect(try ServerConfiguration.resolve(flags: ["window": ["2h"]], environment: ["AUTHD_WINDOW": "1m"], table: table)[setting] == 7_200)
        #expect(try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_WINDOW": "90s"], table: table)[setting] == 90)
        #expect(try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_WINDOW": ""], table: table)[setting] == 60)
        #expect(throws: ConfigurationError("invalid value '0' for AUTHD_WINDOW: expected a duration such as 900, 90s, 15m, 12h or 30d (greater than 0)")) {
            try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_WINDOW": "0"], table: table)
        }
        #expect(setting.spec.help == "A window. Seconds, or a number with s/m/h/d. (env: AUTHD_WINDOW; default: 60)")

        enum Mode: String, SettingValue, CaseIterable { case fast, safe, off }
        let mode = Setting("mode", env: "AUTHD_MODE", default: Mode.safe, kind: .choice(), owner: "Tests", help: "A mode.")
        let modes = SettingsTable([mode.spec], checks: [{ config in
            if config[mode] == .off { throw ConfigurationError("mode off needs a reason") }
        }])
        #expect(try ServerConfiguration.resolve(flags: ["mode": ["FAST"]], environment: [:], table: modes)[mode] == .fast)
        #expect(throws: ConfigurationError("invalid value 'slow' for --mode: expected fast, safe or off")) {
            try ServerConfiguration.resolve(flags: ["mode": ["slow"]], environment: [:], table: modes)
        }
        #expect(throws: ConfigurationError("mode off needs a reason")) {
            try ServerConfiguration.resolve(flags: [:], environment: ["AUTHD_MODE": "off"], table: modes)
        }
    }
}
