import Hummingbird
import Logging

/// The Hummingbird application type ``AuthServer`` builds.
public typealias AuthApplication = Application<RouterResponder<AuthRequestContext>>

/// Builds and runs the HTTP server: middleware stack, health endpoints, caller-supplied routes.
///
/// One middleware, ``ServerMiddleware``, handles every request, in this order:
/// 1. ``RequestMetadata``: request id (server-generated), client IP, user agent, body limit.
/// 2. ``CredentialsInQuery``: 400 for `?access_token=`, `?token=`, `?refresh_token=`, `?session=`.
/// 3. The route.
/// 4. ``ErrorProblems``: every error becomes `application/problem+json` (404 and 405 included).
/// 5. ``SecurityHeaders``: `nosniff`, `DENY`, referrer policy, `Cache-Control: no-store`, and
///    `Strict-Transport-Security` when the issuer is https.
/// 6. ``HTTPMetricsMiddleware``'s recording: request counts and durations by route pattern, method and status class;
///    a `debug` line per request. Then the `X-Request-Id` header.
///
/// Routes: `GET /healthz` (always 200 `{"status":"ok"}`), `GET /readyz` (200 `{"status":"ready"}` when
/// the readiness probe returns `true`, else a 503 problem), then whatever the `routes` closure registers.
/// A known path requested with another method answers 405 with `Allow`.
///
/// ``run()`` binds `configuration.host:port`, serves until SIGTERM or SIGINT, then shuts down gracefully:
/// it stops accepting connections, lets in-flight requests finish, closes idle connections and returns.
public struct AuthServer {
    /// Reports the bound port once the server listens (useful with port 0).
    public typealias OnServerRunning = @Sendable (_ port: Int) async -> Void
    /// Registers routes on the server's router.
    public typealias RouteBuilder = (AuthRoutes) -> Void

    /// The configuration (host, port, body limit, proxy trust; the rest is for the domain layer).
    public let configuration: ServerConfiguration
    /// The logger of the server and of every request (with `hb.request.id` metadata).
    public let logger: Logger
    /// Answers `/readyz`: `true` means ready.
    public let readiness: @Sendable () async -> Bool
    /// Called with the bound port once listening.
    public let onServerRunning: OnServerRunning
    /// The caller's route registration.
    public let routeBuilder: RouteBuilder

    /// Creates a server with only the health routes (nothing is bound until ``run()``).
    /// - Parameters:
    ///   - configuration: the server configuration.
    ///   - logger: the logger; `authd.http` at the configuration's level by default.
    ///   - readiness: the readiness probe for `/readyz`.
    ///   - onServerRunning: called with the bound port once listening.
    public init(
        configuration: ServerConfiguration,
        logger: Logger? = nil,
        readiness: @escaping @Sendable () async -> Bool = { true },
        onServerRunning: @escaping OnServerRunning = { _ in }
    ) {
        self.init(configuration: configuration, logger: logger, readiness: readiness, onServerRunning: onServerRunning) { _ in }
    }

    /// Creates a server (nothing is bound until ``run()`` or a test runs the application).
    ///
    /// `routes` has no default so that a trailing closure always binds to it:
    /// `AuthServer(configuration: config) { routes in ... }`.
    /// - Parameters:
    ///   - configuration: the server configuration.
    ///   - logger: the logger; `authd.http` at the configuration's level by default.
    ///   - readiness: the readiness probe for `/readyz`.
    ///   - onServerRunning: called with the bound port once listening.
    ///   - routes: registers the application's routes.
    public init(
        configuration: ServerConfiguration,
        logger: Logger? = nil,
        readiness: @escaping @Sendable () async -> Bool = { true },
        onServerRunning: @escaping OnServerRunning = { _ in },
        routes: @escaping RouteBuilder
    ) {
        self.configuration = configuration
        self.logger = logger ?? {
            var logger = Logger(label: "authd.http")
            logger.logLevel = configuration.logLevel
            return logger
        }()
        self.readiness = readiness
        self.onServerRunning = onServerRunning
        self.routeBuilder = routes
    }

    /// Builds the router: middleware stack, health routes, the caller's routes, generated 405s.
    public func buildRouter() -> Router<AuthRequestContext> {
        let router = Router(context: AuthRequestContext.self, options: [.autoGenerateHeadEndpoints])
        router.add(
            middleware: ServerMiddleware(
                trustProxy: configuration.trustProxy, maxUploadSize: configuration.maxBodyBytes,
                strictTransportSecurity: configuration.strictTransportSecurity))

        let routes = AuthRoutes(router: router)
        let readiness = self.readiness
        routes.get("/healthz") { _, _ in
            JSONResponse(["status": "ok"])
        }
        routes.get("/readyz") { _, _ in
            guard await readiness() else { throw Problem.notReady() }
            return JSONResponse(["status": "ready"])
        }
        routeBuilder(routes)
        routes.sealWithMethodNotAllowed()
        return router
    }

    /// Builds the Hummingbird application (for ``run()``, or for `app.test(...)` in tests).
    public func buildApplication() -> AuthApplication {
        let logger = self.logger
        let onServerRunning = self.onServerRunning
        let host = configuration.host
        return Application(
            router: buildRouter(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["host": .string(host), "port": .stringConvertible(port)])
                await onServerRunning(port)
            },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and returns.
    /// - Parameter others: further applications (authd's metrics listener) run in the same service group: started with
    ///   the server, shut down gracefully with it, and a failure of one (an address in use) stops all.
    public func run(alongside others: [any ApplicationProtocol] = []) async throws {
        var application = buildApplication()
        for other in others { application.addServices(other) }
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        logger.info("stopped")
    }
}
