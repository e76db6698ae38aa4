import Foundation

/// A plain-text mail message, rendered as RFC 5322 with CRLF line ends, UTF-8 body (8bit) and a deterministic
/// `Message-ID`, so a redelivered notice is recognisably the same message.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    /// `<id@host>` without the angle brackets.
    public var messageID: String
    public var date: Date

    /// Creates a message.
    public init(from: String, to: String, subject: String, body: String, messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
    }

    /// Whether `address` is a bare `local@domain` address safe in a header and an SMTP command (no spaces, angle
    /// brackets, quotes or line breaks).
    public static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && address.utf8.count <= 254
            && address.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 && !"<>()[]\\,;:\"".unicodeScalars.contains($0) }
    }

    /// The message bytes: headers, blank line, body; every line ends in CRLF.
    public var rfc5322: [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var lines = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedHeader(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "Auto-Submitted: auto-generated",
            "",
        ]
        lines.append(contentsOf: body.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.filter { $0 != "\r" }) })
        return Array(lines.joined(separator: "\r\n").utf8) + [13, 10]
    }

    /// An RFC 2047 encoded word for non-ASCII header text (line breaks removed in any case).
    static func encodedHeader(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard flat.unicodeScalars.contains(where: { !$0.isASCII }) else { return flat }
        return "=?utf-8?B?" + Data(flat.utf8).base64EncodedString() + "?="
    }
}
