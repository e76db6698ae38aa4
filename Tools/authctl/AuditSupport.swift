import ArgumentParser
import AuthCore
import AuthCrypto
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

/// Opens the data directory read-only for audits.
func openReader(_ options: DataOptions) throws -> LogReader {
    guard FileManager.default.fileExists(atPath: options.data + "/data.mdb") else {
        throw ValidationError("no event log at \(options.data) (expected \(options.data)/data.mdb)")
    }
    return try LogReader(path: options.data, projections: DomainProjections.all)
}

/// Resolves a user given as an id or an email.
func resolveUser(_ value: String, in context: ReadContext) throws -> String {
    guard value.contains("@") else { return value }
    let email = value.trimmingCharacters(in: .whitespaces).lowercased()
    guard let id = try context.state.table(UsersProjection(), "by_email").get(Key.of(email)) else {
        throw ValidationError("no user with email \(email)")
    }
    return String(decoding: id, as: UTF8.self)
}

/// Writes `text` to standard output, each line through ``TerminalText/escape(_:)``: every line authctl prints goes
/// through here, so no control character from the log reaches the terminal raw. (Fields are escaped where they are
/// put into a line too, so that a newline inside a field shows as `\u{A}` instead of starting a line of its own;
/// the escape is idempotent.)
func writeLine(_ text: String) {
    print(text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escape(String($0)) }.joined(separator: "\n"))
}

/// A field from the log, escaped for the terminal.
func shown(_ text: String) -> String { TerminalText.escape(text) }

/// Shortens `text` (escaped for the terminal first) to `width` characters with an ellipsis.
func clip(_ text: String, _ width: Int) -> String {
    let text = shown(text)
    return text.count <= width ? text : String(text.prefix(width - 1)) + "…"
}

/// Pads `text` to `width` columns.
func pad(_ text: String, _ width: Int) -> String {
    let clipped = clip(text, width)
    return clipped + String(repeating: " ", count: max(0, width - clipped.count))
}

/// One aligned table row for an event.
func tableRow(_ event: RecordedEvent) -> String {
    let actor = event.actor
    let request = event.request
    let time = String(event.timestamp.rfc3339.prefix(23)) + "Z"
    let details = (try? detailSummary(event)) ?? ""
    return [
        pad(String(event.seq), 8), pad(time, 24), pad(event.type, 24),
        pad(actor.kind.rawValue + (actor.id.map { ":" + $0 } ?? ""), 28), pad(request.clientIP ?? "-", 16),
        pad(request.userAgent ?? "-", 22), details,
    ].joined(separator: " ")
}

/// The table header.
let tableHeader = [
    pad("SEQ", 8), pad("TIME (UTC)", 24), pad("TYPE", 24), pad("ACTOR", 28), pad("IP", 16), pad("USER AGENT", 22), "DETAILS",
].joined(separator: " ")

/// The payload fields that say what happened, short.
func detailSummary(_ event: RecordedEvent) throws -> String {
    let fields = try event.fields()
    var parts: [String] = []
    for key in fields.keys where key != "user_id" {
        if let text = try? fields.string(key) {
            parts.append("\(shown(key))=\(clip(text, 28))")
        } else if let bytes = try? fields.bytes(key) {
            parts.append("\(shown(key))=\(Encoding.base64URL(Array(bytes.prefix(6))))…")
        } else if let number = try? fields.int(key) {
            parts.append("\(shown(key))=\(number)")
        } else if let flag = try? fields.bool(key) {
            parts.append("\(shown(key))=\(flag)")
        }
    }
    return parts.joined(separator: " ")
}
