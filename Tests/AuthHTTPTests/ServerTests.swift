import AuthHTTP
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Health endpoints, port discovery, route registration and graceful shutdown.
@Suite struct ServerTests {
    @Test func healthzIsOK() async throws {
        try await makeServer().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try jsonObject(response) == ["status": "ok"])
            let head = try await client.execute(uri: "/healthz", method: .head)
            #expect(head.status == .ok)
        }
    }

    @Test func readyzFollowsTheProbe() async throws {
        let ready = Mutex(false)
        let server = makeServer(readiness: { ready.withLock { $0 } })
        try await server.buildApplication().test(.live) { client in
            let notReady = try await client.execute(uri: "/readyz", method: .get)
            let body = try expectProblem(notReady, status: .serviceUnavailable)
            #expect(body["type"] == .string(Problem.Types.notReady))
            ready.withLock { $0 = true }
            let isReady = try await client.execute(uri: "/readyz", method: .get)
            #expect(isReady.status == .ok)
            #expect(try jsonObject(isReady) == ["status": "ready"])
        }
    }

    @Test func reportsTheBoundPort() async throws {
        let reported = Mutex<Int?>(nil)
        let server = makeServer(onServerRunning: { port in reported.withLock { $0 = port } })
        try await server.buildApplication().test(.live) { client in
            #expect(reported.withLock { $0 } == client.port)
            #expect((client.port ?? 0) > 0)
        }
    }

    @Test func registeredRoutesGroupsAndCollections() async throws {
        let collection = RouteCollection(context: AuthRequestContext.self)
        collection.get("/item/{id}") { _, context in
            JSONResponse(["id": try context.parameters.require("id")])
        }
        let server = makeServer { routes in
            routes.group("/v1").get("/ping") { _, _ in JSONResponse(["pong": true]) }
            routes.addRoutes(collection, atPath: "/v1")
        }
        try await server.buildApplication().test(.router) { client in
            #expect(try await client.execute(uri: "/v1/ping", method: .get).status == .ok)
            let item = try await client.execute(uri: "/v1/item/42", method: .get)
            #expect(try jsonObject(item) == ["id": "42"])
            let wrong = try await client.execute(uri: "/v1/item/42", method: .post)
            try expectProblem(wrong, status: .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET, HEAD")
        }
    }

    @Test func inFlightRequestsFinishDuringGracefulShutdown() async throws {
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let server = makeServer { routes in
            routes.get("/slow") { _, _ in
                startedContinuation.yield()
                try await Task.sleep(for: .milliseconds(500))
                return JSONResponse(["done": true])
            }
        }
        // The test closure returns while /slow is still running on a second connection; the live test
        // framework then triggers graceful shutdown, which must let that request complete.
        let pending = try await server.buildApplication().test(.live) { client in
            let port = try #require(client.port)
            let second = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(10)))
            second.connect()
            let task = Task {
                defer { Task { try? await second.shutdown() } }
                return try await second.execute(.init("/slow", method: .get))
            }
            var iterator = started.makeAsyncIterator()
            _ = await iterator.next()
            return task
        }
        let response = try await pending.value
        #expect(response.status == .ok)
        #expect(response.body.map { String(buffer: $0) } == #"{"done":true}"#)
    }
}
