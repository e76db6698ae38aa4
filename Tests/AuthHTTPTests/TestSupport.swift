import AuthHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import StrictJSON
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let value = Mutex<Double>(1_000)

    var now: Double { value.withLock { $0 } }

    func advance(by seconds: Double) {
        value.withLock { $0 += seconds }
    }
}

/// A request body type for strict decoding tests.
struct SignupRequest: StrictDecodable, Sendable, Equatable {
    enum Mode: String, Codable, Sendable { case password, passkey }
    let email: String
    let mode: Mode
    let displayName: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case email, mode
        case displayName = "display_name"
    }

    static let allowedFields = fields(of: CodingKeys.self)
}

/// An error whose text must never reach a client.
struct LeakyError: Error, CustomStringConvertible {
    var description: String { "SECRET connection string postgres://admin:hunter2@db/internal" }
}

/// A server for tests: port 0 and the given routes.
func makeServer(
    _ configuration: ServerConfiguration = ServerConfiguration(port: 0),
    readiness: @escaping @Sendable () async -> Bool = { true },
    onServerRunning: @escaping AuthServer.OnServerRunning = { _ in },
    routes: @escaping AuthServer.RouteBuilder
) -> AuthServer {
    var configuration = configuration
    configuration.logLevel = .warning  // keep test output readable; errors still show
    return AuthServer(configuration: configuration, readiness: readiness, onServerRunning: onServerRunning, routes: routes)
}

/// The JSON object in a response body.
func jsonObject(_ response: TestResponse) throws -> [String: JSONValue] {
    try #require(try StrictJSONParser.parse(Array(response.body.readableBytesView)).objectValue)
}

/// Checks that `response` is an RFC 9457 problem with `status`, and returns its members.
@discardableResult
func expectProblem(
    _ response: TestResponse,
    status: HTTPResponse.Status,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: JSONValue] {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let body = try jsonObject(response)
    #expect(body["status"] == .int(status.code), sourceLocation: sourceLocation)
    #expect(body["type"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(body["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(body["request_id"]?.stringValue == response.headers[.xRequestID], sourceLocation: sourceLocation)
    return body
}

/// A server for tests with only the health routes.
func makeServer(
    _ configuration: ServerConfiguration = ServerConfiguration(port: 0),
    readiness: @escaping @Sendable () async -> Bool = { true },
    onServerRunning: @escaping AuthServer.OnServerRunning = { _ in }
) -> AuthServer {
    makeServer(configuration, readiness: readiness, onServerRunning: onServerRunning) { _ in }
}

/// JSON request headers.
let jsonHeaders: HTTPFields = [.contentType: "application/json"]
