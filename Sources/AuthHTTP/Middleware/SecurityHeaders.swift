import Hummingbird

/// The security headers ``ServerMiddleware`` adds to every response, errors included:
///
/// - `Referrer-Policy: strict-origin-when-cross-origin`
/// - `X-Content-Type-Options: nosniff`
/// - `X-Frame-Options: DENY`
/// - `Cache-Control: no-store`, unless the response already has a `Cache-Control`.
/// - `Strict-Transport-Security`, when configured (``AuthServer`` sets `max-age=31536000` when the issuer is https;
///   see ``ServerConfiguration/strictTransportSecurity``).
///
/// A route opts out of `no-store` (for a static page, say) by setting its own `Cache-Control`,
/// for example with ``Hummingbird/Response/cacheable(_:)``. The other headers are only added when the
/// response does not set them already.
struct SecurityHeaders {
    /// The `Cache-Control` value for responses that do not set one; `nil` adds none.
    let defaultCacheControl: String?
    /// The `Strict-Transport-Security` value; `nil` sends none.
    let strictTransportSecurity: String?

    /// Creates the part.
    /// - Parameters:
    ///   - defaultCacheControl: the default `Cache-Control`; `no-store` unless given.
    ///   - strictTransportSecurity: the `Strict-Transport-Security` value for every response; none unless given.
    init(defaultCacheControl: String? = "no-store", strictTransportSecurity: String? = nil) {
        self.defaultCacheControl = defaultCacheControl
        self.strictTransportSecurity = strictTransportSecurity
    }

    /// Adds the headers to `headers`, keeping any already present.
    /// Runs on every response: presence is tested with `contains` and the fields are appended (the name subscript's
    /// getter joins every value of the name into a new string, its setter replaces fields through a generic path).
    func apply(to headers: inout HTTPFields) {
        headers.reserveCapacity(headers.count + 5)
        Self.add(.referrerPolicy, "strict-origin-when-cross-origin", to: &headers)
        Self.add(.xContentTypeOptions, "nosniff", to: &headers)
        Self.add(.xFrameOptions, "DENY", to: &headers)
        if let defaultCacheControl { Self.add(.cacheControl, defaultCacheControl, to: &headers) }
        if let strictTransportSecurity { Self.add(.strictTransportSecurity, strictTransportSecurity, to: &headers) }
    }

    /// Appends `name: value` unless `headers` has a field of that name.
    @inline(__always)
    private static func add(_ name: HTTPFields.Element.Name, _ value: String, to headers: inout HTTPFields) {
        if !headers.contains(name) { headers.append(HTTPFields.Element(name: name, value: value)) }
    }
}

extension Response {
    /// The response with `Cache-Control` set to `directive` (e.g. `public, max-age=3600`), which
    /// ``ServerMiddleware`` then leaves alone instead of adding `no-store`.
    public func cacheable(_ directive: String) -> Response {
        var response = self
        response.headers[.cacheControl] = directive
        return response
    }
}
