import AuthAPI
import AuthCore
import AuthHTTP
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Every route that is not declared public needs a user: anonymous callers get 401 before anything else happens
/// (no body is read, nothing is written), and cookie callers of unsafe methods must pass the CSRF check.
@Suite struct AuthenticatedRoutesTests {
    /// The routes anyone may call (each does its own checks: admin key, tokens in the body, rate limits).
    static let publicPaths: Set<String> = [
        "/", "/demo.css", "/demo.js", "/healthz", "/readyz", "/.well-known/jwks.json", "/v1/users",
        // The admin key is their credential (IntrospectionRoutes.requireAdmin; AdminAPITests.adminKeyBootstrapsTheFirstAdministratorOnly).
        "/v1/introspect", "/v1/admin/bootstrap",
        "/v1/login/password", "/v1/login/mfa", "/v1/login/passkey/options", "/v1/login/passkey/verify", "/v1/token/refresh",
        "/v1/mfa/recovery/request", "/v1/mfa/recovery/complete",
        // Account links (the token is the credential; a verification re-send with an email needs no session).
        "/v1/email/verify", "/v1/email/confirm", "/v1/email/verification", "/v1/password/reset/request", "/v1/password/reset/complete",
        // External login: start authenticates only with link=true (ExternalLoginRoutesTests.checksComeBeforeTheProvider), the callback is bound to
        // its flow cookie, the exchange to its login code.
        "/v1/oauth/providers", "/v1/oauth/{provider}/start", "/v1/oauth/{provider}/callback", "/v1/login/oauth/exchange",
    ]

    @Test func everyNonPublicRouteRefusesAnonymousAndCrossSiteCookieCallers() async throws {
        let harness = try Harness()
        defer { harness.close() }
        let api = harness.api
        let registered = RouteList()
        let server = AuthServer(configuration: harness.options.configuration) { routes in
            api.addRoutes(to: routes)
            let all = routes.routes
            registered.value.withLock { $0 = all }
        }
        try await server.buildApplication().test(.live) { client in
            let routes = registered.value.withLock { $0 }.filter { !Self.publicPaths.contains($0.path) }
            let calls = routes.flatMap { route in
                route.methods.map {
                    (route.path.replacingOccurrences(of: "{id}", with: "ses_x").replacingOccurrences(of: "{role}", with: "user"), $0)
                }
            }
            // 5 session, 1 password, 3 re-authentication, 7 MFA, 5 passkey, 4 account and 2 identity routes; 2 authorization
            // checks and 11 admin routes.
            #expect(calls.count == 40, "\(calls)")
            let before = try harness.eventCount()
            for (path, method) in calls {
                // A malformed body: authentication comes first, so it is never read.
                let anonymous = try await client.execute(uri: path, method: method, headers: json, body: ByteBuffer(string: "{"))
                let problem = expectProblem(anonymous, .unauthorized)
                #expect(problem["type"] as? String == "urn:authd:problem:unauthenticated", "\(method) \(path)")
            }
            #expect(try harness.eventCount() == before, "anonymous calls write nothing")

            try await client.register("ada@example.com")
            let cookie = try await client.login("ada@example.com").cookie
            for (path, method) in calls where method != .get {
                var headers = json
                headers[.cookie] = "__Host-session=\(cookie)"
                headers[.origin] = "https://evil.example"
                let crossSite = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: "{"))
                #expect(expectProblem(crossSite, .forbidden)["type"] as? String == "urn:authd:problem:csrf", "\(method) \(path)")
            }
        }
    }
}

/// The routes the server registered, handed out of the route builder.
final class RouteList: Sendable {
    let value = Mutex<[(path: String, methods: [HTTPRequest.Method])]>([])
}
