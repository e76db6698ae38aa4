import AuthCore
import AuthHTTP
import EventLog
import Hummingbird

/// The request context of a route that needs a user: the authenticated ``Principal`` and the context it was
/// authenticated from. A handler registered on ``AuthenticatedRoutes`` receives it by type, so it cannot run
/// without the authentication check (and the requirements its route declared) having passed.
///
/// It is Hummingbird's child-context step (`ChildRequestContext`: unauthenticated → authenticated) with an
/// asynchronous transform: authenticating reads the request (headers, cookies) and may write (a session extension),
/// which a synchronous `init(context:)` from the parent context alone cannot do. The transform is
/// ``AuthenticatedRoutes``'s responder; a value can be made only there (the initialiser is internal).
public struct AuthenticatedContext: RequestContext {
    public typealias Source = Never

    /// Hummingbird's storage (logger, route parameters), carried over from the parent context.
    public var coreContext: CoreRequestContextStorage
    /// The context the request was authenticated from (request id, client address, user agent, body limit).
    public let base: AuthRequestContext
    /// Who is calling.
    public let principal: Principal

    init(base: AuthRequestContext, principal: Principal) {
        self.coreContext = base.coreContext
        self.base = base
        self.principal = principal
    }

    /// Never called: an authenticated context is made only by authenticating (``AuthenticatedRoutes``).
    public init(source: Never) { switch source {} }

    /// The parent context's body limit (not Hummingbird's default).
    public var maxUploadSize: Int { base.maxUploadSize }
}

/// What a request of an authenticated route must satisfy besides an active session, declared where the route is
/// registered (``AuthRoutes/authenticated(by:_:)``) and checked, in order, before the handler runs. The place for
/// "needs permission P" too.
struct AuthRequirement: Sendable {
    /// Throws the refusal (a ``Problem``) if `principal` does not satisfy the requirement.
    let check: @Sendable (AuthService, Principal) throws -> Void

    /// Fresh `aal2` when the user has a second factor (403 `step-up-required`; ``AuthService/requireStepUp(_:)``).
    static let stepUp = AuthRequirement { service, principal in try service.requireStepUp(principal) }

    /// A login, step-up or re-authentication within `--reauth-window`, and ``stepUp`` (403
    /// `reauthentication-required` / `step-up-required`; ``AuthService/requireRecentAuthentication(_:)``).
    static let recentAuthentication = AuthRequirement { service, principal in try service.requireRecentAuthentication(principal) }

    /// A session at `aal2` (403 `step-up-required`), whether or not it is recent.
    static let aal2Session = AuthRequirement { _, principal in
        guard principal.session.record.aal == "aal2" else { throw Problem.stepUpRequired(maxAge: MFAPolicy.stepUpMaxAge) }
    }

    /// The permission `permission` (403 `forbidden` otherwise; ``AuthService/requirePermission(_:_:)``), decided by
    /// the authorization snapshot in force with the request's context.
    static func permission(_ permission: String) -> AuthRequirement {
        AuthRequirement { service, principal in try service.requirePermission(permission, principal) }
    }

    /// A session at `aal2` when the user has a second factor (403 `step-up-required`): what every admin endpoint needs.
    static let aal2IfEnrolled = AuthRequirement { service, principal in try service.requireAAL2IfEnrolled(principal) }
}

/// Routes that need a user: every responder registered here first authenticates the request
/// (``AuthService/authenticate(_:context:)``: bearer token or session cookie with the CSRF check, session extension),
/// then checks the group's ``AuthRequirement``s, then calls the handler with an ``AuthenticatedContext``. Routes are
/// registered through the parent ``AuthRoutes``, so generated 405 answers and HEAD-for-GET work as for any route.
///
/// ```swift
/// let user = routes.authenticated(by: self)
/// user.get("/v1/session") { request, context in self.currentSessionBody(context.principal).response() }
/// let recent = routes.authenticated(by: self, .recentAuthentication)
/// recent.delete("/v1/mfa/totp") { request, context in ... }
/// ```
struct AuthenticatedRoutes: RouterMethods {
    typealias Context = AuthenticatedContext

    let parent: AuthRoutes
    let service: AuthService
    let requirements: [AuthRequirement]

    @discardableResult
    func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == AuthenticatedContext {
        parent.on(path, method: method, responder: AuthenticatingResponder(service: service, requirements: requirements, next: responder))
        return self
    }

    /// Not supported (as on Hummingbird's context-transforming groups): add middleware to a `group()` of this.
    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, AuthenticatedContext>) -> Self {
        preconditionFailure("add middleware to a group() of AuthenticatedRoutes")
    }
}

/// Authenticates, checks the requirements, and hands the request on with an ``AuthenticatedContext``.
///
/// Not generic over the next responder: the router calls a responder through an existential, and a generic
/// conformance's witness runs the unspecialized body (runtime type metadata on every request); this one's body is
/// concrete, and only the call on to `next` goes through an existential.
struct AuthenticatingResponder: HTTPResponder {
    typealias Context = AuthRequestContext

    let service: AuthService
    let requirements: [AuthRequirement]
    let next: any HTTPResponder<AuthenticatedContext>

    func respond(to request: Request, context: AuthRequestContext) async throws -> Response {
        var principal = try await service.authenticate(request, context: context)
        principal.requestIP = context.clientIP
        for requirement in requirements { try requirement.check(service, principal) }
        return try await next.respond(to: request, context: AuthenticatedContext(base: context, principal: principal))
    }
}

extension AuthRoutes {
    /// The routes registered on the result need an authenticated user (by `service`) satisfying `requirements`.
    func authenticated(by service: AuthService, _ requirements: AuthRequirement...) -> AuthenticatedRoutes {
        AuthenticatedRoutes(parent: self, service: service, requirements: requirements)
    }
}

/// The request metadata events record, from either context.
protocol RequestMetadataContext: RequestContext {
    var requestID: String { get }
    var clientIP: String? { get }
    var userAgent: String? { get }
}

extension AuthRequestContext: RequestMetadataContext {}

extension AuthenticatedContext: RequestMetadataContext {
    public var requestID: String { base.requestID }
    public var clientIP: String? { base.clientIP }
    public var userAgent: String? { base.userAgent }
}
