extension SMTPTransport {
    /// Bounds of one SMTP reply (RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; an `EHLO` reply has a line per
    /// extension, a few dozen at most). A server past them is treated as failing, and the delivery retried later.
    public struct ReplyLimits: Sendable {
        /// Most lines in one reply (continuation lines `250-…` and the last line).
        public var maxLines: Int
        /// Most bytes in one reply, line ends included.
        public var maxBytes: Int

        /// Creates limits; the defaults are far above what a real server sends.
        public init(maxLines: Int = 100, maxBytes: Int = 32 * 1024) {
            self.maxLines = maxLines
            self.maxBytes = maxBytes
        }
    }
}
