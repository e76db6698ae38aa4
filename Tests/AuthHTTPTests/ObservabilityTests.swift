@testable import AuthHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import MetricsTestKit
import StrictJSON
import Synchronization
import Testing

/// The JSON log handler (one object per line, escaping, metadata, request id) and the HTTP metrics middleware (route
/// pattern and status class labels).
@Suite struct ObservabilityTests {
    /// Collects the handler's lines.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func sink(_ bytes: [UInt8]) { lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
    }

    static func handler(_ lines: Lines, label: String = "authd.test") -> JSONLogHandler {
        JSONLogHandler(label: label, now: { (1_767_323_045, 678_900_000) }, sink: lines.sink)
    }

    static func object(_ line: String) throws -> [String: JSONValue] {
        guard case .object(let members) = try StrictJSONParser.parse(Array(line.utf8)) else {
            Issue.record("not a JSON object: \(line)")
            return [:]
        }
        return members
    }

    @Test func oneObjectPerLineWithFixedMembersFirst() throws {
        let lines = Lines()
        var logger = Logger(label: "authd.test") { _ in Self.handler(lines) }
        logger.logLevel = .debug
        logger.info("listening", metadata: ["port": .stringConvertible(8080)])
        logger.trace("dropped below the level")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasPrefix("{\"ts\":\"2026-01-02T03:04:05.678Z\",\"level\":\"info\",\"label\":\"authd.test\",\"msg\":\"listening\""))
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try Self.object(line)
        #expect(object["port"] == .string("8080"))
    }

    @Test func escapesEveryStringAndKeepsOneLine() throws {
        let lines = Lines()
        let logger = Logger(label: "weird\"label") { _ in Self.handler(lines, label: "weird\"label") }
        let message = "line one\nline two\r\t\"quoted\" \\ \u{0}\u{7}\u{1B}[31m\u{2028}é"
        logger.error("\(message)", metadata: ["key\nwith newline": .string("value\n{\"injected\":true}")])
        let line = try #require(lines.all.first)
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(!line.contains("\u{1B}") && !line.contains("\u{0}"))
        let object = try Self.object(line)
        #expect(object["msg"] == .string(message))
        #expect(object["label"] == .string("weird\"label"))
        #expect(object["key\nwith newline"] == .string("value\n{\"injected\":true}"))
        #expect(object["injected"] == nil)
    }

    @Test func requestIdAndNestedMetadata() throws {
        let lines = Lines()
        var logger = Logger(label: "authd.http") { _ in Self.handler(lines, label: "authd.http") }
        logger[metadataKey: "hb.request.id"] = "rid-123"
        logger[metadataKey: "client.request.id"] = "client-7"
        logger.warning(
            "nested",
            metadata: [
                "msg": "not the message", "list": .array(["a", .stringConvertible(2)]),
                "map": .dictionary(["b": "2", "a": .dictionary(["c": "3"])]),
            ])
        let line = try #require(lines.all.first)
        let object = try Self.object(line)
        #expect(object["request_id"] == .string("rid-123"))
        #expect(object["client_request_id"] == .string("client-7"))
        #expect(object["hb.request.id"] == nil)
        #expect(object["msg"] == .string("nested"))
        #expect(object["meta.msg"] == .string("not the message"))
        #expect(object["list"] == .array([.string("a"), .string("2")]))
        #expect(line.contains("\"map\":{\"a\":{\"c\":\"3\"},\"b\":\"2\"}"))
    }

    @Test func timestampsAreRFC3339UTC() {
        #expect(JSONLogHandler.timestamp(seconds: 0, nanoseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(JSONLogHandler.timestamp(seconds: 951_782_400, nanoseconds: 999_999_999) == "2000-02-29T00:00:00.999Z")
    }

    @Test func requestLinesOfTheServerCarryTheRequestID() async throws {
        let lines = Lines()
        var logger = Logger(label: "authd.http") { _ in Self.handler(lines, label: "authd.http") }
        logger.logLevel = .debug
        let server = AuthServer(configuration: ServerConfiguration(port: 0), logger: logger) { routes in
            routes.get("/users/{id}") { _, _ in JSONResponse(["ok": true]) }
        }
        let requestID = try await server.buildApplication().test(.router) { client in
            try await client.execute(uri: "/users/42", method: .get).headers[.xRequestID]
        }
        let requestLines = try lines.all.map(Self.object).filter { $0["msg"] == .string("request") }
        #expect(requestLines.count == 1)
        let line = try #require(requestLines.first)
        #expect(line["request_id"] == requestID.map { .string($0) })
        #expect(line["http.route"] == .string("/users/{id}"))
        #expect(line["http.status"] == .string("200"))
    }

    static func metricsRouter(_ metrics: TestMetrics) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: HTTPMetricsMiddleware<BasicRequestContext>(factory: metrics))
        router.get("/users/{id}") { _, _ in "ok" }
        router.post("/fail") { _, _ -> String in throw HTTPError(.badRequest) }
        router.get("/crash") { _, _ -> String in throw CancellationError() }
        return router
    }

    @Test func requestsAreCountedByRoutePatternAndStatusClass() async throws {
        let metrics = TestMetrics()
        try await Application(router: Self.metricsRouter(metrics)).test(.router) { client in
            for id in ["1", "2", "3"] { _ = try await client.execute(uri: "/users/\(id)", method: .get) }
            _ = try await client.execute(uri: "/fail", method: .post)
            _ = try await client.execute(uri: "/crash", method: .get)
            _ = try await client.execute(uri: "/nothing/here", method: .get)
        }
        let label = HTTPMetricsMiddleware<BasicRequestContext>.requestsLabel
        func count(_ route: String, _ method: String, _ status: String) throws -> Int64 {
            try metrics.expectCounter(label, [("route", route), ("method", method), ("status", status)]).totalValue
        }
        #expect(try count("/users/{id}", "GET", "2xx") == 3)
        #expect(try count("/fail", "POST", "4xx") == 1)
        #expect(try count("/crash", "GET", "5xx") == 1)
        #expect(try count("NotFound", "GET", "4xx") == 1)
        // No raw path becomes a label.
        #expect(metrics.counters(label: label).allSatisfy { counter in !counter.dimensions.contains { $0.1.contains("/users/1") } })
        let timer = try metrics.expectTimer(
            HTTPMetricsMiddleware<BasicRequestContext>.durationLabel, [("route", "/users/{id}"), ("method", "GET"), ("status", "2xx")])
        #expect(timer.values.count == 3)
    }

    @Test func statusClassesAndMethods() {
        typealias Middleware = HTTPMetricsMiddleware<BasicRequestContext>
        #expect(Middleware.statusClass(.ok) == "2xx")
        #expect(Middleware.statusClass(.seeOther) == "3xx")
        #expect(Middleware.statusClass(.tooManyRequests) == "4xx")
        #expect(Middleware.statusClass(.serviceUnavailable) == "5xx")
        #expect(Middleware.methodLabel(.init("BREW")!) == "OTHER")
        #expect(Middleware.methodLabel(.delete) == "DELETE")
    }
}
