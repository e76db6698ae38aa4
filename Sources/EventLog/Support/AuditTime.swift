/// Parses the times audit tools take (`authctl --since/--until/--at`): RFC 3339, or a duration before now such as
/// `90s`, `15m`, `2h`, `7d`.
///
/// Input comes from a person typing at a terminal, so every malformed or out-of-range value is an error with a
/// message, never a trap: offsets are bounds-checked and durations overflow-checked.
public enum AuditTime {
    /// The earliest time accepted (the Unix epoch: no event is older).
    public static let earliest = Timestamp(microseconds: 0)

    /// `text` as a time; relative durations count back from `now`.
    public static func parse(_ text: String, now: Timestamp) throws(AuditArgumentError) -> Timestamp {
        if let time = Timestamp(rfc3339: text) {
            guard time >= earliest else { throw AuditArgumentError("'\(TerminalText.escape(text))' is before 1970-01-01T00:00:00Z") }
            return time
        }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let factor = units[unit] else { throw unrecognized(text) }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw unrecognized(text) }
        guard let value = Int64(digits) else { throw tooFar(text) }
        let (seconds, overflow) = value.multipliedReportingOverflow(by: factor)
        let (micros, overflowMicros) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow, !overflowMicros, micros <= now.microseconds - earliest.microseconds else { throw tooFar(text) }
        return Timestamp(microseconds: now.microseconds - micros)
    }

    private static func unrecognized(_ text: String) -> AuditArgumentError {
        AuditArgumentError(
            "'\(TerminalText.escape(text))' is neither RFC 3339 (2026-11-27T10:00:00Z, 2026-11-27T15:00:00+05:00) nor a relative time like 90s, 15m, 2h or 7d")
    }

    private static func tooFar(_ text: String) -> AuditArgumentError {
        AuditArgumentError("'\(TerminalText.escape(text))' reaches back before 1970-01-01T00:00:00Z")
    }
}
