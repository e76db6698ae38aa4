import Hummingbird

/// The CSRF check for cookie-authenticated requests.
///
/// A request with an unsafe method (anything but GET, HEAD, OPTIONS, TRACE) passes only if its
/// `Origin` is in ``allowedOrigins``, or the browser marks it `Sec-Fetch-Site: same-origin`.
/// Requests without either header fail. Safe methods always pass.
///
/// Call ``verify(_:)`` from the route layer once it knows the request is authenticated by a session
/// cookie; requests authenticated by `Authorization: Bearer` are not subject to it (browsers do not
/// attach bearer tokens on their own). ``CSRFMiddleware`` applies the same check by a heuristic.
public struct CSRFPolicy: Sendable, Equatable {
    /// The allowed origins, normalized (`scheme://host[:port]`, lowercased, no trailing slash).
    public let allowedOrigins: Set<String>

    /// Creates a policy allowing `origins` (normalized with ``normalizeOrigin(_:)``).
    public init(allowedOrigins origins: some Sequence<String>) {
        self.allowedOrigins = Set(origins.map(Self.normalizeOrigin))
    }

    /// Whether `method` can change state (and so needs the check).
    public static func isUnsafe(_ method: HTTPRequest.Method) -> Bool {
        switch method {
        case .get, .head, .options, .trace: return false
        default: return true
        }
    }

    /// Whether the request passes the check.
    public func permits(_ request: Request) -> Bool {
        permits(method: request.method, headers: request.headers)
    }

    /// Whether a request with this method and headers passes the check.
    public func permits(method: HTTPRequest.Method, headers: HTTPFields) -> Bool {
        guard Self.isUnsafe(method) else { return true }
        if let origin = headers[.origin], origin != "null", allowedOrigins.contains(Self.normalizeOrigin(origin)) {
            return true
        }
        if let site = headers[.secFetchSite], site.lowercased() == "same-origin" {
            return true
        }
        return false
    }

    /// Throws a 403 ``Problem`` unless the request passes the check.
    public func verify(_ request: Request) throws(Problem) {
        guard permits(request) else { throw .csrfRejected() }
    }

    /// `scheme://host[:port]`, lowercased, without a trailing slash.
    public static func normalizeOrigin(_ origin: String) -> String {
        var value = origin.lowercased()
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }
}
