#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`), for the `cidr` operator. IPv4-mapped IPv6 addresses
/// are compared as IPv4.
public struct CIDRBlock: Sendable, Hashable {
    /// The network address (4 or 16 bytes).
    public let network: [UInt8]
    /// The prefix length in bits.
    public let prefixLength: Int

    /// Parses `a.b.c.d/n` or `x::y/n`; `nil` if malformed.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), let length = Int(text[text.index(after: slash)...]),
            let address = Self.address(String(text[..<slash]))
        else { return nil }
        guard length >= 0, length <= address.count * 8 else { return nil }
        network = Self.masked(address, length)
        prefixLength = length
    }

    /// Whether `ip` (an address as text) lies in the network; `nil` if `ip` is not an address.
    public func contains(_ ip: String) -> Bool? {
        guard let address = Self.address(ip) else { return nil }
        guard address.count == network.count else { return false }
        return Self.masked(address, prefixLength) == network
    }

    /// The address bytes of `text` (IPv4-mapped IPv6 as IPv4), or `nil`.
    static func address(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        var out = bytes
        for index in out.indices {
            let bits = max(0, min(8, length - index * 8))
            out[index] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
        return out
    }
}
