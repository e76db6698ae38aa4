import AuthAPI
import AuthHTTP

/// Every setting of `authd serve`: the HTTP server's (``HTTPSettings``), the API's (``AuthAPISettings``) and authd's
/// own (``ServeSettings``). The command line, the resolver, `authd serve --help` and `docs/CONFIG.md`
/// (`authd config-doc`) all come from this table.
enum AuthdSettings {
    /// The joined table, in help order.
    static let table = HTTPSettings.table + AuthAPISettings.table + ServeSettings.table

    /// Where each owner declares its settings (the one file to edit to add or change one).
    static let files: [(owner: String, file: String)] = [
        ("AuthHTTP", "Sources/AuthHTTP/Configuration/HTTPSettings.swift"),
        ("AuthAPI", "Sources/AuthAPI/AuthAPISettings.swift"),
        ("authd", "Sources/authd/ServeSettings.swift"),
    ]

    /// Resolves the configuration of `authd serve` from its arguments (after `serve`) and the environment.
    static func resolve(arguments: [String], environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        let flags = try SettingArguments.parse(arguments, table: table)
        return try ServerConfiguration.resolve(flags: flags, environment: environment, table: table)
    }
}

/// The command line of `authd serve`, read against the settings table: `--name value`, `--name=value`, and for
/// booleans `--name` / `--no-name`. A repeated option keeps its last value, except a list's, which keeps them all.
enum SettingArguments {
    /// The values by flag name (without dashes), in the order given.
    static func parse(_ arguments: [String], table: SettingsTable) throws(ConfigurationError) -> [String: [String]] {
        var values: [String: [String]] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ConfigurationError("unexpected argument '\(argument)'")
            }
            let body = argument.dropFirst(2)
            let name: String
            var attached: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                attached = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            if let spec = table.spec(flagName: name) {
                if spec.isBoolean {
                    guard attached == nil else { throw ConfigurationError("\(spec.flag) takes no value (use --no-\(name) to turn it off)") }
                    values[name] = ["true"]
                    continue
                }
                let value: String
                if let attached {
                    value = attached
                } else {
                    guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                        throw ConfigurationError("missing value for \(spec.flag) <\(spec.valueName)>")
                    }
                    value = arguments[index]
                    index += 1
                }
                values[name, default: []].append(value)
            } else if name.hasPrefix("no-"), let spec = table.spec(flagName: String(name.dropFirst(3))), spec.isBoolean {
                guard attached == nil else { throw ConfigurationError("--\(name) takes no value") }
                values[spec.flagName] = ["false"]
            } else {
                throw ConfigurationError("unknown option '--\(name)'; `authd serve --help` lists them")
            }
        }
        return values
    }
}

// MARK: - Help and docs/CONFIG.md

extension AuthdSettings {
    /// The settings for `authd serve --help`: each flag with its value, then its help wrapped to 78 columns.
    static var helpText: String {
        var lines = [
            "Every option is also an AUTHD_* environment variable; a flag wins over the",
            "variable, which wins over the default. A boolean is --name / --no-name (the",
            "variable takes true/false); a repeatable option's variable takes a",
            "comma-separated list. docs/CONFIG.md lists the same table.",
            "",
            "SETTINGS:",
        ]
        for spec in table.settings {
            let flag = spec.isBoolean ? "\(spec.flag), --no-\(spec.flagName)" : "\(spec.flag) <\(spec.valueName)>"
            lines.append("  " + flag + (spec.isList ? " ..." : ""))
            lines.append(contentsOf: wrap(spec.help, width: 78, indent: "        "))
        }
        return lines.joined(separator: "\n")
    }

    /// The variables and their flags, for `authd --help`.
    static var variableList: String {
        table.settings.map { "  \($0.environmentVariable.padding(toLength: 32, withPad: " ", startingAt: 0)) \($0.flag)" }
            .joined(separator: "\n")
    }

    /// `docs/CONFIG.md`: every setting with its flag, variable, default, kind, owner and help.
    static var markdown: String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|")
        }
        var lines = [
            "# authd configuration",
            "",
            "<!-- Generated from the settings table by `swift run authd config-doc > docs/CONFIG.md`; do not edit by hand. -->",
            "",
            "Every setting of `authd serve` is a command-line flag and an `AUTHD_*` environment variable. A flag wins",
            "over the variable, which wins over the default; an empty variable counts as unset. A boolean is",
            "`--name` / `--no-name` on the command line and `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`) in the",
            "variable. A repeatable option (kind `list of ...`) takes a comma-separated variable. Durations are seconds, or",
            "a number with `s`, `m`, `h` or `d`. An invalid value stops the server with a message naming the flag or",
            "variable it came from. `authd serve --help` prints the same table.",
            "",
            "Each module declares its own settings (the owner below); to add one, add a `Setting` to its file and list it",
            "in that file's `table`, then regenerate this page:",
            "",
            "| Owner | File |",
            "| --- | --- |",
        ]
        for (owner, file) in files {
            lines.append("| \(owner) | `\(file)` |")
        }
        lines += [
            "",
            "| Flag | Variable | Default | Kind | Owner | Description |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for spec in table.settings {
            let flag = spec.isBoolean ? "`\(spec.flag)`, `--no-\(spec.flagName)`" : "`\(spec.flag) <\(spec.valueName)>`"
            lines.append(
                "| \(flag) | `\(spec.environmentVariable)` | \(cell(spec.defaultDescription)) | \(cell(spec.kindDescription)) "
                    + "| \(spec.owner) | \(cell(spec.abstract)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` in lines of at most `width` columns (words longer than that stand alone), each after `indent`.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, indent.count + line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }
}
