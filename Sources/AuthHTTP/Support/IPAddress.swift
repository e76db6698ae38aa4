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

    /// The rate-limiter key of a client address: an IPv4 address as itself; an IPv4-mapped IPv6 address
    /// (`::ffff:a.b.c.d`) as that IPv4 address; any other IPv6 address as its /64 prefix
    /// (`2001:db8:0:1::/64`), because one subscriber usually holds a whole /64 and could otherwise present
    /// an unlimited supply of addresses. A zone (`%eth0`) is ignored; text that is no address is kept as is.
    public static func limiterKey(_ text: some StringProtocol) -> String {
        var string = String(text)
        if let percent = string.firstIndex(of: "%") { string = String(string[..<percent]) }
        guard !string.isEmpty, string.utf8.count <= 45 else { return String(text) }
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, string, &v4) == 1 {
            return v4.map(String.init).joined(separator: ".")
        }
        var v6 = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, string, &v6) == 1 else { return String(text) }
        if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF {
            return v6[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(v6[$0]) << 8 | UInt16(v6[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
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
