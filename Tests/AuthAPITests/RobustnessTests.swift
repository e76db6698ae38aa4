import AuthAPI
import AuthCore
import AuthHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite struct RobustnessTests {
    /// Malformed input of every kind gets a 4xx problem, never a 5xx.
    @Test func noServerErrorsForBadInput() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com")
            let admin = "Bearer \(Harness.adminKey)"
            let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            let bodies: [[UInt8]] = [
                [], Array("{".utf8), Array("[]".utf8), Array("null".utf8), Array("\"text\"".utf8), Array("42".utf8), Array(deep.utf8),
                [0xFF, 0xFE, 0x7B, 0x7D], Array(#"{"email": 1, "password": 2}"#.utf8), Array(#"{"email": null, "password": null}"#.utf8),
                Array(#"{"email":"a@b.co","password":"12345678","mode":"token","mode":"cookie"}"#.utf8),
                Array(#"{"email":"a\u0000@b.co","password":"12345678","mode":"token"}"#.utf8),
                Array(#"{"email":"\#(String(repeating: "a", count: 5000))@b.co","password":"12345678","mode":"cookie"}"#.utf8),
                Array(#"{"token":{"nested":true},"refresh_token":[1,2]}"#.utf8),
                Array(#"{"current_password":"x","new_password":"\#(String(repeating: "y", count: 5000))"}"#.utf8),
                Array(repeating: 0x20, count: 70_000),
            ]
            let posts = ["/v1/users", "/v1/login/password", "/v1/token/refresh", "/v1/introspect", "/v1/password", "/v1/logout"]
            var count = 0
            for path in posts {
                for bytes in bodies {
                    for auth in [nil, admin, "Bearer \(login.cookie)"] {
                        var headers: HTTPFields = [.contentType: "application/json"]
                        if let auth { headers[.authorization] = auth }
                        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
                        #expect(response.status.code < 500, "\(path) \(bytes.prefix(40)) -> \(response.status)")
                        #expect(response.status.code >= 400 || path == "/v1/logout", "\(path) \(bytes.prefix(40))")
                        count += 1
                    }
                }
            }
            let authorizations = [
                "Bearer", "Bearer ", "Basic YWRhOnB3", "bearer \(login.cookie)x", "Bearer a.b.c", "Bearer ..", "Bearer \(String(repeating: "A", count: 10_000))",
                "Bearer \(login.cookie) extra", "Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer %00", "Token \(login.cookie)",
            ]
            for authorization in authorizations {
                for (method, path) in [(HTTPRequest.Method.get, "/v1/session"), (.get, "/v1/sessions"), (.delete, "/v1/sessions"), (.post, "/v1/logout")] {
                    let response = try await client.execute(uri: path, method: method, headers: [.authorization: authorization])
                    #expect(response.status.code >= 400 && response.status.code < 500, "\(authorization.prefix(30)) \(path)")
                }
            }
            for cookie in ["__Host-session=", "__Host-session=%%%", "__Host-session=\(String(repeating: "z", count: 4000))", "__Host-session=a; __Host-session=b"] {
                let response = try await client.execute(uri: "/v1/session", method: .get, headers: [.cookie: cookie])
                #expect(response.status == .unauthorized)
            }
            for path in ["/v1/sessions/%00", "/v1/sessions/ses_\(String(repeating: "A", count: 300))", "/v1/sessions/..%2F..", "/nope", "/v1/users/1"] {
                let response = try await client.execute(uri: path, method: .delete, headers: [.authorization: "Bearer \(login.cookie)"])
                #expect(response.status.code >= 400 && response.status.code < 500, "\(path)")
            }
            let wrongMethod = try await client.execute(uri: "/v1/users", method: .get)
            expectProblem(wrongMethod, .methodNotAllowed)
            #expect(count == posts.count * bodies.count * 3)
        }
    }

    @Test func loginRateLimitPerIPWithOneThrottleEventPerWindow() async throws {
        let harness = try Harness { options in
            options.loginPerIP = RateLimit(capacity: 3, perSecond: 1.0 / 60)
            options.throttleRecordWindow = 60
        }
        try await harness.run { client in
            try await client.register("ada@example.com")
            for _ in 0..<3 { #expect(try await client.login("ada@example.com", "wrong password").status == .unauthorized) }
            for _ in 0..<20 {
                let limited = try await client.login("ada@example.com", "wrong password")
                let problem = expectProblem(limited.response, .tooManyRequests)
                #expect(Int(limited.response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(problem["retry_after"] as? Int ?? 0 >= 1)
            }
            #expect(try harness.events(LoginThrottled.self).count == 1)
            harness.clock.advance(seconds: 61)
            #expect(try await client.login("ada@example.com").status == .ok)
            for _ in 0..<5 { #expect(try await client.login("ada@example.com").status == .tooManyRequests) }
        }
        let throttled = try harness.events(LoginThrottled.self)
        #expect(throttled.count == 2)
        #expect(throttled.allSatisfy { $0.scope == "ip" && $0.userID == nil && $0.subject == harness.api.keyedSubject("ip:127.0.0.1") })
        // Refused attempts never reached argon2 or the log beyond the throttle events.
        #expect(try harness.events(LoginFailed.self).count == 3)
    }

    @Test func loginRateLimitPerAccountKnownOrNot() async throws {
        let harness = try Harness { $0.loginPerAccount = RateLimit(capacity: 2, perSecond: 1.0 / 600) }
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            for email in ["ada@example.com", "ghost@example.com"] {
                for _ in 0..<2 { #expect(try await client.login(email, "wrong password").status == .unauthorized) }
                let limited = try await client.login(email, "wrong password")
                expectProblem(limited.response, .tooManyRequests)
            }
            // Another account is not affected.
            try await client.register("bob@example.com")
            #expect(try await client.login("bob@example.com").status == .ok)
            let events = try harness.events(LoginThrottled.self)
            #expect(events.map(\.scope) == ["account", "account"])
            #expect(events[0].userID == userID && events[1].userID == nil)
        }
    }

    @Test func registrationIsRateLimited() async throws {
        let harness = try Harness { $0.registerPerIP = RateLimit(capacity: 2, perSecond: 1.0 / 600) }
        try await harness.run { client in
            try await client.register("a@example.com")
            try await client.register("b@example.com")
            let limited = try await client.post("/v1/users", ["email": "c@example.com", "password": "12345678"])
            expectProblem(limited, .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    /// A saturated argon2 pool answers 503 with Retry-After instead of queueing without bound.
    @Test func hashingPoolSaturationIs503() async throws {
        let harness = try Harness { options in
            options.configuration.argon2MemoryKiB = 32_768
            options.configuration.argon2Iterations = 3
            options.hashingThreads = 1
            options.hashingQueue = 0
        }
        let statuses = Mutex<[Int]>([])
        let retryAfter = Mutex<[String]>([])
        try await harness.run(.ahc(.http)) { client in
            try await client.register("ada@example.com")
            try await withThrowingTaskGroup(of: (Int, String?, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let login = try await client.login("ada@example.com", "wrong password")
                        return (Int(login.status.code), login.response.headers[.retryAfter], login.response.headers[.contentType])
                    }
                }
                for try await (code, retry, type) in group {
                    statuses.withLock { $0.append(code) }
                    if code == 503 {
                        retryAfter.withLock { $0.append(retry ?? "") }
                        #expect(type == "application/problem+json")
                    }
                }
            }
        }
        let codes = statuses.withLock { $0 }
        #expect(codes.count == 8)
        #expect(codes.contains(503), "\(codes)")
        #expect(codes.contains(401), "\(codes)")
        #expect(Set(codes).isSubset(of: [401, 503]))
        #expect(retryAfter.withLock { $0 }.allSatisfy { $0 == "1" })
    }

    @Test func readiness() async throws {
        let harness = try Harness()
        try await harness.run { client async throws in
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            // Once the writer is stopped the log is not writable: not ready, still alive.
            harness.store.close()
            expectProblem(try await client.execute(uri: "/readyz", method: .get), .serviceUnavailable)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }
}
