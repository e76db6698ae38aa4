import TextEncoding
import EventLog

/// Text for the auditor's terminal: every field from the log goes through ``TerminalText/escape(_:)`` before it is
/// shown, clipped or padded into a column.
public enum AuditText {
    /// A field from the log, escaped for the terminal.
    public static func shown(_ text: String) -> String { TerminalText.escape(text) }

    /// Shortens `text` (escaped for the terminal first) to `width` characters with an ellipsis.
    public static func clip(_ text: String, _ width: Int) -> String {
        let text = shown(text)
        return text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    /// Pads `text` (clipped) to `width` columns.
    public static func pad(_ text: String, _ width: Int) -> String {
        let clipped = clip(text, width)
        return clipped + String(repeating: " ", count: max(0, width - clipped.count))
    }

    /// `text` with each line escaped for the terminal: the lines stay lines, and no control character inside one
    /// reaches the terminal raw (fields are escaped where they are put into a line too, so that a newline inside a
    /// field shows as `\u{A}` instead of starting a line of its own; the escape is idempotent).
    public static func terminalLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escape(String($0)) }.joined(separator: "\n")
    }
}

/// The aligned table of `authctl replay`: one row an event.
public enum EventTable {
    /// The table header.
    public static let header = [
        AuditText.pad("SEQ", 8), AuditText.pad("TIME (UTC)", 24), AuditText.pad("TYPE", 24), AuditText.pad("ACTOR", 28),
        AuditText.pad("IP", 16), AuditText.pad("USER AGENT", 22), "DETAILS",
    ].joined(separator: " ")

    /// One aligned table row for `event`.
    public static func row(_ event: RecordedEvent) -> String {
        row(event, request: event.request, payloadText: [:])
    }

    /// One row for `event` with `request` in place of the stored request fields and the payload fields named in
    /// `payloadText` shown as that text (personal data opened by ``Queries/request(of:)`` and
    /// ``Queries/sealedPayloadText(of:)``).
    public static func row(_ event: RecordedEvent, request: RequestInfo, payloadText: [String: String]) -> String {
        let actor = event.actor
        let time = String(event.timestamp.rfc3339.prefix(23)) + "Z"
        let details = (try? detailSummary(event, payloadText: payloadText)) ?? ""
        return [
            AuditText.pad(String(event.seq), 8), AuditText.pad(time, 24), AuditText.pad(event.type, 24),
            AuditText.pad(actor.kind.rawValue + (actor.id.map { ":" + $0 } ?? ""), 28), AuditText.pad(request.clientIP ?? "-", 16),
            AuditText.pad(request.userAgent ?? "-", 22), details,
        ].joined(separator: " ")
    }

    /// The payload fields that say what happened, short (`user_id` aside: it is the actor or the stream).
    public static func detailSummary(_ event: RecordedEvent, payloadText: [String: String] = [:]) throws -> String {
        let fields = try event.fields()
        var parts: [String] = []
        for key in fields.keys where key != "user_id" {
            if let text = payloadText[key] ?? (try? fields.string(key)) {
                parts.append("\(AuditText.shown(key))=\(AuditText.clip(text, 28))")
            } else if let bytes = try? fields.bytes(key) {
                parts.append("\(AuditText.shown(key))=\(Encoding.base64URL(Array(bytes.prefix(6))))…")
            } else if let number = try? fields.int(key) {
                parts.append("\(AuditText.shown(key))=\(number)")
            } else if let flag = try? fields.bool(key) {
                parts.append("\(AuditText.shown(key))=\(flag)")
            }
        }
        return parts.joined(separator: " ")
    }
}
