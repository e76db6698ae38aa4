import Hummingbird

// `HTTPField` itself is not re-exported by Hummingbird; `HTTPFields.Element` is the same type, which
// spares a direct dependency on swift-http-types.

extension HTTPFields.Element.Name {
    /// `X-Request-Id`: the server-generated request identifier, sent on every response (a caller's value is only logged).
    public static let xRequestID = Self("X-Request-Id")!
    /// `X-Forwarded-For`: the client address chain appended by reverse proxies.
    public static let xForwardedFor = Self("X-Forwarded-For")!
    /// `X-Frame-Options`: legacy framing control (`DENY`).
    public static let xFrameOptions = Self("X-Frame-Options")!
    /// `Referrer-Policy`: how much of the URL browsers send as `Referer`.
    public static let referrerPolicy = Self("Referrer-Policy")!
    /// `Sec-Fetch-Site`: the browser's statement of the request initiator's relation to the target origin.
    public static let secFetchSite = Self("Sec-Fetch-Site")!
}

extension HTTPFields {
    /// The value of the field `name`: the one field's value as it is, the values of several joined as the name
    /// subscript joins them, `nil` without one. For the per-request lookups (`Authorization`, `User-Agent`): the name
    /// subscript builds a joined string through a lazily mapped sequence even for a single field.
    public func value(of name: HTTPFields.Element.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
