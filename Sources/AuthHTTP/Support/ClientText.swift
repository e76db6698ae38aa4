/// Bounds on client-supplied text that ends up in events, logs and projections.
public enum ClientText {
    /// The most UTF-8 bytes of a client-supplied header value (such as `User-Agent`) that are kept.
    public static let maxStoredBytes = 256

    /// `text` cut to at most `maxBytes` UTF-8 bytes, at a character (grapheme cluster) boundary, so the result is
    /// valid UTF-8 and no character is split; bytes, not characters, are counted, so one letter followed by
    /// thousands of combining marks (a single character) cannot pass whole. If the first character alone is longer
    /// than `maxBytes`, it is cut between its Unicode scalars instead (the result is then that character's base and
    /// as many of its marks as fit), rather than keeping nothing.
    public static func truncated(_ text: some StringProtocol, maxBytes: Int = maxStoredBytes) -> String {
        let string = String(text)
        guard string.utf8.count > maxBytes else { return string }
        var end = string.startIndex
        var used = 0
        var index = string.startIndex
        while index < string.endIndex {
            let next = string.index(after: index)
            let size = string.utf8.distance(from: index, to: next)
            guard used + size <= maxBytes else { break }
            used += size
            end = next
            index = next
        }
        if end > string.startIndex { return String(string[..<end]) }
        var scalars = String.UnicodeScalarView()
        used = 0
        for scalar in string.unicodeScalars {
            let size = UTF8.width(scalar)
            guard used + size <= maxBytes else { break }
            used += size
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
