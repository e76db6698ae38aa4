import ArgumentParser
import AuditKit
import AuthCore
import EventLog
import Foundation

/// Parses `--since/--until/--at` values (``AuditTime``): RFC 3339, or a duration before now like `90s`, `2h`, `7d`.
/// A bad value is a usage error with a message (exit code 64), never a trap.
func parseTime(_ text: String, now: Timestamp = SystemClock().now()) throws -> Timestamp {
    do {
        return try AuditTime.parse(text, now: now)
    } catch {
        throw ValidationError(error.description)
    }
}

/// Runs `body`, turning an ``AuditError`` (no log, no such user) into a usage error (exit code 64).
func auditing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AuditError {
        throw ValidationError(error.description)
    }
}

/// Opens the data directory read-only for audits (``AuditLog/openReader(data:)``), with `--store` after catching
/// the replica up.
func openReader(_ options: DataOptions) throws -> LogReader {
    try auditing {
        try options.catchUpReplica()
        return try AuditLog.openReader(data: options.data)
    }
}

/// The personal-data vault of the data directory (``AuditLog/vault(data:reader:)``), nil without its keys.
func openVault(_ options: DataOptions, _ reader: LogReader) throws -> PersonalDataVault? {
    try AuditLog.vault(data: options.data, reader: reader)
}

/// Resolves a user given as an id or an email (``AuditLog/resolveUser(_:in:vault:)``: the email normalised, found
/// through its keyed hash).
func resolveUser(_ value: String, in context: ReadContext, vault: PersonalDataVault?) throws -> String {
    try auditing { try AuditLog.resolveUser(value, in: context, vault: vault) }
}

/// Writes `text` to standard output, each line through ``TerminalText/escape(_:)``
/// (``AuditText/terminalLines(_:)``): every line authctl prints goes through here, so no control character from the
/// log reaches the terminal raw.
func writeLine(_ text: String) {
    print(AuditText.terminalLines(text))
}
