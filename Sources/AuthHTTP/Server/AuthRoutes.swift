import Hummingbird

/// The route registrar ``AuthServer`` hands to route-building code. It forwards to the server's
/// `Router` and records every path and method, so that after registration the server can answer a
/// known path with the wrong method by 405 (with `Allow`) instead of Hummingbird's 404.
///
/// It is a Hummingbird `RouterMethods`, so everything works as on a router: `get`/`post`/...,
/// `group(_:)`, `addRoutes(_:atPath:)` with a `RouteCollection`, and `add(middleware:)`.
///
/// ```swift
/// AuthServer(configuration: config) { routes in
///     let api = routes.group("/v1").add(middleware: SomeAuthMiddleware())
///     api.post("/login") { request, context in
///         let body = try await request.decodeStrict(as: LoginRequest.self, context: context)
///         ...
///         return JSONResponse(result)
///     }
/// }
/// ```
/// Prefer group middleware over ``add(middleware:)`` here: middleware added at this level also wraps
/// the generated 405 responders.
public final class AuthRoutes: RouterMethods {
    /// The request context of every route.
    public typealias Context = AuthRequestContext

    /// The methods for which unregistered paths-and-methods get a generated 405.
    static let generatedMethods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    private let router: Router<AuthRequestContext>
    private var registered: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
    private var indexByPath: [String: Int] = [:]
    private var isSealed = false

    /// Wraps `router`.
    init(router: Router<AuthRequestContext>) {
        self.router = router
    }

    /// Registers `responder` for `path` and `method` (the primitive every other method builds on).
    @discardableResult
    public func on<Responder: HTTPResponder>(
        _ path: RouterPath,
        method: HTTPRequest.Method,
        responder: Responder
    ) -> Self where Responder.Context == AuthRequestContext {
        precondition(!isSealed, "routes must be registered inside the AuthServer route builder")
        let key = path.description
        if let index = indexByPath[key] {
            registered[index].methods.append(method)
        } else {
            indexByPath[key] = registered.count
            registered.append((path, [method]))
        }
        router.on(path, method: method, responder: responder)
        return self
    }

    /// Adds middleware to the router; it wraps every route registered after this call.
    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, AuthRequestContext>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    /// Every registered path with its methods, in registration order.
    public var routes: [(path: String, methods: [HTTPRequest.Method])] {
        registered.map { ($0.path.description, $0.methods) }
    }

    /// Registers a 405 responder for every common method a registered path lacks (HEAD is left to
    /// the router's automatic HEAD-for-GET where GET exists). Called once, after route building.
    func sealWithMethodNotAllowed() {
        isSealed = true
        for (path, methods) in registered {
            var allowed = methods
            if methods.contains(.get) && !methods.contains(.head) { allowed.append(.head) }
            let problem = Problem.methodNotAllowed(allowed: allowed)
            for method in Self.generatedMethods where !allowed.contains(method) {
                router.on(path, method: method, responder: CallbackResponder { _, _ in throw problem })
            }
        }
    }
}
