/// Where an external login may send the browser back to (`return_to` of `GET /v1/oauth/{provider}/start`): an
/// absolute path on this origin, or a URL under one of the `--allowed-return-url` entries (same scheme and host,
/// same port, path prefix on a `/` boundary). Anything a browser could read as another origin is refused:
/// scheme-relative (`//host`, `/\host`, `\/host`), backslashes anywhere, `scheme:opaque` forms, user info (`@`),
/// host suffix tricks, percent-encoded slashes, backslashes and control characters, raw control characters, spaces,
/// non-ASCII, and fragments (the callback appends its own).
public struct ReturnToPolicy: Sendable {
    /// The longest `return_to` accepted, in bytes.
    public static let maximumLength = 2048

    /// An allowed absolute URL prefix, parsed once.
    public struct AllowedURL: Sendable, Equatable {
        /// `scheme://host[:port]`, lowercased.
        let origin: String
        /// The path prefix (`/` when none was given).
        let path: String
        /// The URL as configured.
        public let text: String

        /// Parses `http(s)://host[:port][/path]` without user info, query or fragment.
        public init?(_ text: String) {
            guard let parts = ReturnToPolicy.split(text), parts.query.isEmpty else { return nil }
            origin = parts.origin
            path = parts.path.isEmpty ? "/" : parts.path
            self.text = text
        }

        /// Whether `candidate` (already split) lies under this prefix.
        func admits(origin candidateOrigin: String, path candidatePath: String) -> Bool {
            guard candidateOrigin == origin else { return false }
            let candidate = candidatePath.isEmpty ? "/" : candidatePath
            if path.hasSuffix("/") { return candidate.hasPrefix(path) }
            return candidate == path || candidate.hasPrefix(path + "/")
        }
    }

    let allowed: [AllowedURL]

    /// A policy admitting this origin's paths and `allowedURLs` (each as validated by ``AllowedURL``).
    public init(allowedURLs: [String]) {
        allowed = allowedURLs.compactMap(AllowedURL.init)
    }

    /// `returnTo` if it is acceptable, else `nil`.
    public func validate(_ returnTo: String) -> String? {
        guard !returnTo.isEmpty, returnTo.utf8.count <= Self.maximumLength, Self.hasOnlySafeCharacters(returnTo) else { return nil }
        if returnTo.hasPrefix("/") {
            // "//host" and "/\host" are scheme-relative to a browser; backslashes are refused above anyway.
            guard !returnTo.hasPrefix("//") else { return nil }
            return returnTo
        }
        guard let parts = Self.split(returnTo) else { return nil }
        return allowed.contains { $0.admits(origin: parts.origin, path: parts.path) } ? returnTo : nil
    }

    /// Printable ASCII without space, `\`, `#`, `"`, `<`, `>`, `` ` ``, `{`, `}`, `|`, `^`, and no percent-encoding
    /// of `/`, `\`, `.` or a control character; every `%` followed by two hex digits.
    static func hasOnlySafeCharacters(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let forbidden: Set<UInt8> = Set(" \\#\"<>`{}|^".utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F, !forbidden.contains(byte) else { return false }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return false }
                let decoded = high << 4 | low
                if decoded < 0x20 || decoded >= 0x7F || decoded == UInt8(ascii: "/") || decoded == UInt8(ascii: "\\")
                    || decoded == UInt8(ascii: ".") || decoded == UInt8(ascii: "%") || decoded == UInt8(ascii: "@")
                {
                    return false
                }
                index += 3
                continue
            }
            index += 1
        }
        return true
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Splits `http(s)://host[:port][path][?query]` into the lowercased origin (default port dropped), the path and
    /// the query; `nil` for anything else (other schemes, user info, empty or malformed host, fragments).
    static func split(_ text: String) -> (origin: String, path: String, query: String)? {
        guard hasOnlySafeCharacters(text) else { return nil }
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = text.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd].lowercased()
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("%") else { return nil }
        var host = authority
        var port: String?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
            guard let digits = port, !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCII), Int(digits) != nil else { return nil }
        }
        let hostCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789.-[]:")
        guard !host.isEmpty, host.allSatisfy(hostCharacters.contains), !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..") else {
            return nil
        }
        if port == (scheme == "https" ? "443" : "80") { port = nil }
        let origin = scheme + "://" + host + (port.map { ":" + $0 } ?? "")
        let tail = rest[authorityEnd...]
        let queryStart = tail.firstIndex(of: "?") ?? tail.endIndex
        let path = String(tail[tail.startIndex..<queryStart])
        guard path.isEmpty || path.hasPrefix("/"), !path.hasPrefix("//") else { return nil }
        return (origin, path, String(tail[queryStart...]))
    }
}
