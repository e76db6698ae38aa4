import Hummingbird

/// Applies ``CSRFPolicy`` to requests that look cookie-authenticated: an unsafe method, a cookie named
/// ``sessionCookieName``, and no `Authorization: Bearer` header. Others pass untouched.
///
/// The exact rule ("this request was authenticated by the cookie") belongs to the route layer, which
/// should call ``CSRFPolicy/verify(_:)`` itself; this middleware is the coarse, route-group-wide form.
public struct CSRFMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The origin check.
    public let policy: CSRFPolicy
    /// The session cookie whose presence marks a request as cookie-authenticated.
    public let sessionCookieName: String

    /// Creates the middleware.
    public init(policy: CSRFPolicy, sessionCookieName: String) {
        self.policy = policy
        self.sessionCookieName = sessionCookieName
    }

    /// Throws a 403 ``Problem`` for a cookie-authenticated unsafe request that fails the policy.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if CSRFPolicy.isUnsafe(request.method), !Self.hasBearer(request), request.cookies[sessionCookieName] != nil {
            try policy.verify(request)
        }
        return try await next(request, context)
    }

    /// Whether the request carries `Authorization: Bearer ...`.
    static func hasBearer(_ request: Request) -> Bool {
        guard let value = request.headers[.authorization] else { return false }
        return value.prefix(7).lowercased() == "bearer "
    }
}
