#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Validation of textual IP addresses (no host names, no ports).
public enum IPAddress {
    /// Whether `text` is a literal IPv4 (dotted quad) or IPv6 address, as `inet_pton` accepts them.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count <= 45 else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, string, &buffer) == 1 { return true }
        return inet_pton(AF_INET6, string, &buffer) == 1
    }

    /// The client address that the nearest trusted proxy saw: the right-most valid entry of the
    /// `X-Forwarded-For` values (all header lines, in order). Entries further left were written by
    /// the client or by untrusted hops and are ignored. Brackets around IPv6 entries are removed.
    /// Returns `nil` when there is no header or the right-most entry is not an IP address.
    public static func forwardedClient(from values: [String]) -> String? {
        let entries = values.flatMap { $0.split(separator: ",") }
        guard var last = entries.last?.trimmingSpaces() else { return nil }
        if last.hasPrefix("["), last.hasSuffix("]") {
            last = String(last.dropFirst().dropLast())
        }
        return isValid(last) ? last : nil
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let trimmed = self.drop(while: { $0 == " " || $0 == "\t" })
        var end = trimmed.endIndex
        while end > trimmed.startIndex {
            let previous = trimmed.index(before: end)
            guard trimmed[previous] == " " || trimmed[previous] == "\t" else { break }
            end = previous
        }
        return String(trimmed[..<end])
    }
}
