import Foundation
import Logging

// MARK: - The settings table: one entry per setting of `authd serve`

/// A value a setting can hold in ``ServerConfiguration``.
public protocol SettingValue: Sendable, Equatable {}

extension String: SettingValue {}
extension Int: SettingValue {}
extension Bool: SettingValue {}
extension Array: SettingValue where Element: SettingValue {}
extension Optional: SettingValue where Wrapped: SettingValue {}
extension Logger.Level: SettingValue {}

extension SettingValue {
    /// Whether `other` is a value of the same type equal to this one.
    func isEqual(to other: any SettingValue) -> Bool {
        (other as? Self) == self
    }
}

/// One setting of `authd serve`, type-erased: its flag, environment variable, default, help text, value kind and
/// owning module. The command line (`authd serve`), the resolver (``ServerConfiguration/resolve(flags:environment:table:)``),
/// `authd serve --help` and `docs/CONFIG.md` all read these rows, so they cannot disagree.
///
/// Make one with ``Setting``; each module declares its own (``HTTPSettings`` here, `AuthAPISettings` in AuthAPI,
/// `ServeSettings` in authd) and authd joins them into one ``SettingsTable``.
public struct SettingSpec: Sendable {
    /// The long flag name without dashes, e.g. `argon2-memory-kib`.
    public let flagName: String
    /// The environment variable, e.g. `AUTHD_ARGON2_MEMORY_KIB` (`AUTHD_` and the flag name in upper snake case).
    public let environmentVariable: String
    /// The value's placeholder in help, e.g. `duration` (booleans have none).
    public let valueName: String
    /// The default, as shown in help, e.g. `900s (15m)`.
    public let defaultDescription: String
    /// What the setting does.
    public let abstract: String
    /// The kind of value, for documentation, e.g. `duration`, `integer in 1...1024`, `preferred | required`.
    public let kindDescription: String
    /// What the kind adds to the help, e.g. `Seconds, or a number with s/m/h/d.`
    public let kindHelp: String?
    /// The module that owns the setting (declares it and reads it), e.g. `AuthAPI`.
    public let owner: String
    /// A flag without a value: `--name` sets it, `--no-name` clears it; the variable takes true/false.
    public let isBoolean: Bool
    /// Repeatable on the command line; the variable takes a comma-separated list.
    public let isList: Bool
    /// The value is a secret: error messages do not repeat it.
    public let isSecret: Bool
    /// A warning to log at start when the value came from the flag (for example: a secret visible in `ps`).
    public let flagWarning: String?
    /// Another setting (flag name) that must not be given together with this one, and the error's opening words.
    public let exclusiveWith: (flagName: String, message: String)?
    /// Parses the inputs and stores the value in the configuration.
    let apply: @Sendable (inout ServerConfiguration, [SettingInput]) throws -> Void

    /// The flag as typed, e.g. `--argon2-memory-kib`.
    public var flag: String { "--\(flagName)" }

    /// The help line: abstract, what the kind adds, environment variable, default.
    public var help: String {
        var text = abstract
        if let kindHelp { text += " " + kindHelp }
        return text + " (env: \(environmentVariable); default: \(defaultDescription))"
    }
}

/// A typed setting: a row of the table (``spec``) and the key of its value in ``ServerConfiguration``
/// (`configuration[setting]`).
public struct Setting<Value: SettingValue>: Sendable {
    /// The table row.
    public let spec: SettingSpec
    /// The value when neither the flag nor the variable is given.
    public let defaultValue: Value

    /// Declares a setting.
    ///
    /// - Parameters:
    ///   - flagName: the long flag without dashes, e.g. `session-ttl`.
    ///   - environmentVariable: `AUTHD_` and the flag name in upper snake case, e.g. `AUTHD_SESSION_TTL`.
    ///   - valueName: the value's placeholder in help, e.g. `duration`.
    ///   - defaultValue: the value when not given.
    ///   - defaultDescription: the default as shown in help (the default value's text if `nil`).
    ///   - kind: how the value is parsed and validated.
    ///   - owner: the owning module.
    ///   - help: what the setting does.
    ///   - flagWarning: a warning to log when the value comes from the flag.
    ///   - exclusiveWith: a setting that must not be given too, and the error's opening words.
    public init(
        _ flagName: String,
        env environmentVariable: String,
        value valueName: String = "value",
        default defaultValue: Value,
        shown defaultDescription: String? = nil,
        kind: SettingKind<Value>,
        owner: String,
        help: String,
        flagWarning: String? = nil,
        exclusiveWith: (flagName: String, message: String)? = nil
    ) {
        self.defaultValue = defaultValue
        let parse = kind.parse
        self.spec = SettingSpec(
            flagName: flagName, environmentVariable: environmentVariable, valueName: kind.isBoolean ? "" : valueName,
            defaultDescription: defaultDescription ?? "\(defaultValue)", abstract: help, kindDescription: kind.description,
            kindHelp: kind.help, owner: owner, isBoolean: kind.isBoolean, isList: kind.isList, isSecret: kind.isSecret,
            flagWarning: flagWarning, exclusiveWith: exclusiveWith,
            apply: { configuration, inputs in
                let value = try parse(inputs)
                configuration.values.set(value, for: flagName, default: defaultValue)
            })
    }

    /// The long flag name without dashes.
    public var flagName: String { spec.flagName }
    /// The flag as typed, e.g. `--session-ttl`.
    public var flag: String { spec.flag }
    /// The environment variable.
    public var environmentVariable: String { spec.environmentVariable }
}

/// How a setting's text is parsed and validated, and how it is documented.
public struct SettingKind<Value: SettingValue>: Sendable {
    /// The kind for documentation, e.g. `duration`.
    public let description: String
    /// What the kind adds to the help text, if anything.
    public let help: String?
    /// A flag without value (`--name`, `--no-name`).
    public let isBoolean: Bool
    /// Repeatable flag, comma-separated variable.
    public let isList: Bool
    /// Error messages do not repeat the value.
    public let isSecret: Bool
    /// Parses the inputs: every flag value, else the variable (split at commas for a list); never empty.
    let parse: @Sendable ([SettingInput]) throws -> Value

    /// A kind parsing the last input with `parse`.
    public init(
        _ description: String, help: String? = nil, isBoolean: Bool = false, isSecret: Bool = false,
        parse: @escaping @Sendable (SettingInput) throws -> Value
    ) {
        self.description = description
        self.help = help
        self.isBoolean = isBoolean
        self.isList = false
        self.isSecret = isSecret
        self.parse = { inputs in try parse(inputs[inputs.count - 1]) }
    }

    private init(
        description: String, help: String?, isBoolean: Bool, isList: Bool, isSecret: Bool,
        parse: @escaping @Sendable ([SettingInput]) throws -> Value
    ) {
        self.description = description
        self.help = help
        self.isBoolean = isBoolean
        self.isList = isList
        self.isSecret = isSecret
        self.parse = parse
    }

    /// The same kind, its value optional (for settings whose default is "none").
    public var optional: SettingKind<Value?> {
        let parse = self.parse
        return SettingKind<Value?>(
            description: description, help: help, isBoolean: isBoolean, isList: isList, isSecret: isSecret,
            parse: { inputs in try parse(inputs) })
    }

    /// A repeatable setting whose every value is parsed by `element`; the variable takes a comma-separated list.
    public static func list<Element: SettingValue>(of element: SettingKind<Element>) -> SettingKind<[Element]> where Value == [Element] {
        let parse = element.parse
        return SettingKind<[Element]>(
            description: "list of \(element.description)", help: "The variable takes a comma-separated list.", isBoolean: false,
            isList: true, isSecret: element.isSecret,
            parse: { inputs in try inputs.map { try parse([$0]) } })
    }
}

extension SettingKind where Value == Int {
    /// An integer in `range`.
    public static func integer(in range: ClosedRange<Int>) -> SettingKind<Int> {
        SettingKind("integer in \(range.lowerBound)...\(range.upperBound)") { try $0.integer(in: range) }
    }

    /// Whole seconds from `N`, `Ns`, `Nm`, `Nh` or `Nd`; zero only if `allowZero`.
    public static func duration(allowZero: Bool) -> SettingKind<Int> {
        SettingKind(allowZero ? "duration" : "duration > 0", help: "Seconds, or a number with s/m/h/d.") {
            try $0.duration(allowZero: allowZero)
        }
    }
}

extension SettingKind where Value == Bool {
    /// `--name` / `--no-name`; the variable takes true/false (also 1/0, yes/no, on/off).
    public static var boolean: SettingKind<Bool> {
        SettingKind("boolean", help: "The variable takes true/false.", isBoolean: true) { try $0.boolean() }
    }
}

extension SettingKind where Value == String {
    /// Any non-empty text; `expectation` is the error's explanation.
    public static func text(_ description: String, expected expectation: String) -> SettingKind<String> {
        SettingKind(description) { input in
            guard !input.text.isEmpty else { throw input.invalid(expectation) }
            return input.text
        }
    }

    /// A file or directory path (non-empty).
    public static var path: SettingKind<String> {
        text("path", expected: "expected a file path")
    }

    /// A directory path (non-empty).
    public static var directory: SettingKind<String> {
        text("directory path", expected: "expected a directory path")
    }
}

extension SettingKind where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of the enumeration's raw values, case-insensitive; `expectation` defaults to `expected a, b or c`.
    public static func choice(expected expectation: String? = nil) -> SettingKind<Value> {
        let names = Value.allCases.map(\.rawValue)
        let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1] : names.joined()
        let message = expectation ?? "expected \(listed)"
        return SettingKind(names.joined(separator: " | ")) { input in
            guard let value = Value(rawValue: input.text.lowercased()) else { throw input.invalid(message) }
            return value
        }
    }
}

// MARK: - Inputs

/// One raw value of a setting and where it came from, with the parsers the kinds share.
public struct SettingInput: Sendable {
    /// The value as given.
    public let text: String
    /// `--flag` or `AUTHD_VARIABLE`.
    public let origin: String
    /// Whether it came from the command line.
    public let fromFlag: Bool
    /// Whether error messages may repeat the value.
    let echo: Bool

    /// An input; `echo: false` keeps the value out of error messages.
    public init(text: String, origin: String, fromFlag: Bool, echo: Bool = true) {
        self.text = text
        self.origin = origin
        self.fromFlag = fromFlag
        self.echo = echo
    }

    /// An error naming the value's origin, e.g. `invalid value 'x' for --listen: expected HOST:PORT`.
    public func invalid(_ expectation: String) -> ConfigurationError {
        let shown = echo ? " '\(text)'" : ""
        return ConfigurationError("invalid value\(shown) for \(origin): \(expectation)")
    }

    /// An integer in `range`.
    public func integer(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw invalid("expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// Seconds from `N`, `Ns`, `Nm`, `Nh` or `Nd` (at most 100 years).
    public func duration(allowZero: Bool) throws(ConfigurationError) -> Int {
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

    /// `true`/`false`, also `1`/`0`, `yes`/`no`, `on`/`off`.
    public func boolean() throws(ConfigurationError) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw invalid("expected true or false")
        }
    }

    /// `HOST:PORT` or `[IPv6]:PORT`, port in 0...65535.
    public func hostAndPort() throws(ConfigurationError) -> (host: String, port: Int) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw invalid("expected [ADDRESS]:PORT")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid("expected HOST:PORT") }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw invalid("write IPv6 addresses as [ADDRESS]:PORT") }
        }
        guard !host.isEmpty else { throw invalid("expected HOST:PORT with a non-empty host") }
        guard let number = Int(port), (0...65_535).contains(number) else {
            throw invalid("expected a port in 0...65535")
        }
        return (String(host), number)
    }
}

// MARK: - The table

/// Settings and the checks that span several of them: one module's part, or all of `authd serve` joined with `+`.
public struct SettingsTable: Sendable {
    /// The rows, in help order.
    public var settings: [SettingSpec]
    /// Checks of the resolved configuration that involve several settings (e.g. argon2 memory against lanes).
    public var checks: [@Sendable (ServerConfiguration) throws -> Void]

    /// A table of `settings` and `checks`.
    public init(
        _ settings: [SettingSpec], checks: [@Sendable (ServerConfiguration) throws -> Void] = []
    ) {
        self.settings = settings
        self.checks = checks
    }

    /// Both tables, `lhs` first.
    public static func + (lhs: SettingsTable, rhs: SettingsTable) -> SettingsTable {
        SettingsTable(lhs.settings + rhs.settings, checks: lhs.checks + rhs.checks)
    }

    /// The row with the long flag `flagName` (without dashes).
    public func spec(flagName: String) -> SettingSpec? {
        settings.first { $0.flagName == flagName }
    }
}

// MARK: - Storage

/// The values of a configuration by flag name; a value equal to its default is not stored, so two configurations
/// with the same effective values are equal.
public struct SettingValues: Sendable, Equatable {
    private var storage: [String: any SettingValue] = [:]

    /// Empty: every setting at its default.
    public init() {}

    /// The value of `flagName`, or `defaultValue`.
    public func value<Value: SettingValue>(for flagName: String, default defaultValue: Value) -> Value {
        storage[flagName].flatMap { $0 as? Value } ?? defaultValue
    }

    /// Stores `value` for `flagName` (removes it if it equals `defaultValue`).
    public mutating func set<Value: SettingValue>(_ value: Value, for flagName: String, default defaultValue: Value) {
        storage[flagName] = value == defaultValue ? nil : value
    }

    public static func == (lhs: SettingValues, rhs: SettingValues) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        return lhs.storage.allSatisfy { key, value in rhs.storage[key].map { value.isEqual(to: $0) } ?? false }
    }
}
