import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// A real API on a real LMDB store in a temp dir, with a manual clock and small argon2 parameters, served over
/// loopback by the real ``AuthServer`` (HummingbirdTesting `.live`, or `.ahc` for concurrent requests). With
/// `AUTHD_TEST_ENGINE=postgres` the store is a replica of a shared log in PostgreSQL (``TestEngine``).
final class Harness: Sendable {
    static let adminKey = "test-admin-key-0123456789abcdef"
    static let origin = "https://app.example.com"

    let directory: TemporaryDirectory
    let clock: ManualClock
    let store: EventStore
    let api: AuthService
    let options: AuthAPIOptions

    /// Builds the harness; `configure` adjusts options (defaults: m=1024,t=1,p=1, generous rate limits).
    init(_ configure: (inout AuthAPIOptions) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory("api")
        clock = ManualClock()
        var configuration = ServerConfiguration(
            dataDirectory: directory.path, port: 0, issuer: "https://auth.example.com", allowedOrigins: [Self.origin],
            adminKey: Self.adminKey, argon2MemoryKiB: 1024, argon2Iterations: 1, argon2Parallelism: 1, refreshGrace: 0)
        configuration.logLevel = .error
        var options = AuthAPIOptions(configuration: configuration)
        options.loginPerIP = RateLimit(capacity: 100_000, perSecond: 1_000)
        options.loginPerAccount = RateLimit(capacity: 100_000, perSecond: 1_000)
        options.registerPerIP = RateLimit(capacity: 100_000, perSecond: 1_000)
        options.hashingThreads = 2
        options.hashingQueue = 4096
        configure(&options)
        store = try EventStore(
            path: directory.path, projections: DomainProjections.all, clock: clock, options: try TestEngine.storeOptions())
        api = try AuthService(store: store, options: options)
        self.options = options
    }

    /// Runs `body` against the live server, then closes everything.
    func run(_ setup: TestingSetup = .live, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { close() }
        let api = self.api
        let server = AuthServer(configuration: options.configuration, readiness: { await api.isReady() }) { routes in api.addRoutes(to: routes) }
        try await server.buildApplication().test(setup) { client in try await body(client) }
    }

    /// Stops the pool and the writer (the directory stays until the harness is released, for inspection).
    func close() {
        api.shutdown()
        store.close()
    }

    deinit { directory.remove() }

    // MARK: Log inspection

    /// Every event of `type`, decoded.
    func events<E: DomainEvent>(_ type: E.Type) throws -> [E] {
        try recorded(E.type).map { try E($0) }
    }

    /// Every recorded event of `type`.
    func recorded(_ type: String) throws -> [RecordedEvent] {
        try store.read { context in
            var out: [RecordedEvent] = []
            try context.forEachEvent { event in
                if event.type == type { out.append(event) }
                return true
            }
            return out
        }
    }

    /// The number of events in the log.
    func eventCount() throws -> UInt64 { try store.head().seq }
}

// MARK: - Requests

let json: HTTPFields = [.contentType: "application/json"]

/// A JSON body from a dictionary.
func body(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

/// The JSON object of a response.
func object(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
}

/// The response body as text.
func text(_ response: TestResponse) -> String { String(buffer: response.body) }

extension TestClientProtocol {
    /// POST JSON.
    @discardableResult
    func post(_ path: String, _ object: [String: Any], headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = json
        fields.append(contentsOf: headers)
        return try await execute(uri: path, method: .post, headers: fields, body: body(object))
    }

    /// Registers and returns the user id.
    @discardableResult
    func register(_ email: String, _ password: String = "correct horse battery") async throws -> String {
        let response = try await post("/v1/users", ["email": email, "password": password])
        #expect(response.status == .created, "\(text(response))")
        return object(response)["user_id"] as? String ?? ""
    }

    /// Logs in; returns the response body and the session cookie's token (cookie mode).
    func login(_ email: String, _ password: String = "correct horse battery", mode: String = "cookie", headers: HTTPFields = [:])
        async throws -> Login
    {
        let response = try await post("/v1/login/password", ["email": email, "password": password, "mode": mode], headers: headers)
        return Login(response: response)
    }

    /// GET with a bearer token.
    func get(_ path: String, bearer: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get, headers: [.authorization: "Bearer \(bearer)"])
    }

    /// GET with the session cookie.
    func get(_ path: String, cookie: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get, headers: [.cookie: "__Host-session=\(cookie)"])
    }

    /// POST /v1/token/refresh.
    func refresh(_ token: String) async throws -> TestResponse {
        try await post("/v1/token/refresh", ["refresh_token": token])
    }
}

/// A login's outcome.
struct Login: Sendable {
    let response: TestResponse
    var status: HTTPResponse.Status { response.status }
    var fields: [String: Any] { object(response) }
    var sessionID: String { fields["session_id"] as? String ?? "" }
    var accessToken: String { fields["access_token"] as? String ?? "" }
    var refreshToken: String { fields["refresh_token"] as? String ?? "" }
    var setCookie: String { response.headers[.setCookie] ?? "" }
    /// The `__Host-session` value from `Set-Cookie`.
    var cookie: String {
        guard let start = setCookie.range(of: "__Host-session=") else { return "" }
        return String(setCookie[start.upperBound...].prefix { $0 != ";" })
    }
}

/// Checks an RFC 9457 problem response and returns its members.
@discardableResult
func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation)
    -> [String: Any]
{
    #expect(response.status == status, "\(text(response))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let members = object(response)
    #expect(members["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
    #expect((members["type"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    return members
}

/// Timings of two kinds of request, `rounds` of each, interleaved (ABBA) so that load spikes hit both alike:
/// the medians in milliseconds. `request(true)` is the first kind.
func interleavedMedians(rounds: Int, _ request: (Bool, Int) async throws -> Void) async throws -> (first: Double, second: Double) {
    var first: [Double] = [], second: [Double] = []
    let clock = ContinuousClock()
    for round in 0..<rounds {
        for isFirst in (round % 2 == 0 ? [true, false] : [false, true]) {
            let start = clock.now
            try await request(isFirst, round)
            let elapsed = start.duration(to: clock.now)
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            if isFirst { first.append(ms) } else { second.append(ms) }
        }
    }
    return (first.sorted()[first.count / 2], second.sorted()[second.count / 2])
}
