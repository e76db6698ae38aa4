import AuthHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Problem+json responses over a real loopback connection (`.live`).
@Suite struct ProblemTests {
    static func server(maxBodyBytes: Int = 1024) -> AuthServer {
        makeServer(ServerConfiguration(port: 0, maxBodyBytes: maxBodyBytes)) { routes in
            routes.post("/signup") { request, context in
                let body = try await request.decodeStrict(as: SignupRequest.self, context: context)
                return JSONResponse(["email": body.email])
            }
            routes.post("/plain-decode") { request, context in
                let body = try await request.decode(as: [String: String].self, context: context)
                return JSONResponse(body)
            }
            routes.get("/boom") { _, _ -> String in
                throw LeakyError()
            }
            routes.get("/teapot") { _, _ -> String in
                throw Problem(status: .init(code: 418, reasonPhrase: "I'm a teapot"), detail: "short and stout")
            }
            routes.get("/hb-error") { _, _ -> String in
                throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"], message: "token expired")
            }
        }
    }

    @Test func unknownRouteIs404Problem() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/does-not-exist", method: .get)
            let body = try expectProblem(response, status: .notFound)
            #expect(body["type"] == "about:blank")
            #expect(body["title"] == "Not Found")
        }
    }

    @Test func wrongMethodIs405ProblemWithAllow() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/signup", method: .get)
            let body = try expectProblem(response, status: .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(body["allowed"] == ["POST"])

            let delete = try await client.execute(uri: "/healthz", method: .delete)
            try expectProblem(delete, status: .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET, HEAD")
        }
    }

    @Test func invalidJSONIs400Problem() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: jsonHeaders, body: ByteBuffer(string: #"{"email": "#)
            )
            let body = try expectProblem(response, status: .badRequest)
            #expect(body["type"] == .string(Problem.Types.invalidBody))
            #expect(body["detail"]?.stringValue?.hasPrefix("request body is not valid JSON") == true)
        }
    }

    @Test func unknownFieldIs400NamingIt() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: jsonHeaders,
                body: ByteBuffer(string: #"{"email":"a@b.c","mode":"password","foo":1}"#)
            )
            let body = try expectProblem(response, status: .badRequest)
            #expect(body["detail"] == "unknown field 'foo'")
            #expect(body["errors"] == [["field": "foo", "reason": "unknown"]])
        }
    }

    @Test func missingFieldIs400NamingIt() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: jsonHeaders, body: ByteBuffer(string: #"{"mode":"password"}"#)
            )
            let body = try expectProblem(response, status: .badRequest)
            #expect(body["detail"] == "missing field 'email'")
        }
    }

    @Test func wrongTypeIs400NamingIt() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: jsonHeaders, body: ByteBuffer(string: #"{"email":"a@b.c","mode":7}"#)
            )
            let body = try expectProblem(response, status: .badRequest)
            #expect(body["detail"] == "field 'mode' has the wrong type (expected string)")
        }
    }

    @Test func validBodyDecodes() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: #"{"email":"a@b.c","mode":"passkey","display_name":"A"}"#)
            )
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try jsonObject(response) == ["email": "a@b.c"])
        }
    }

    @Test func oversizedBodyIs413Problem() async throws {
        try await Self.server(maxBodyBytes: 64).buildApplication().test(.live) { client in
            let big = #"{"email":""# + String(repeating: "x", count: 200) + #"","mode":"password"}"#
            let strict = try await client.execute(uri: "/signup", method: .post, headers: jsonHeaders, body: ByteBuffer(string: big))
            let body = try expectProblem(strict, status: .contentTooLarge)
            #expect(body["max_bytes"] == 64)

            // Hummingbird's own decode path enforces the same limit through context.maxUploadSize.
            let plain = try await client.execute(uri: "/plain-decode", method: .post, headers: jsonHeaders, body: ByteBuffer(string: big))
            try expectProblem(plain, status: .contentTooLarge)
        }
    }

    @Test func wrongContentTypeIs415Problem() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(
                uri: "/signup", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}")
            )
            let body = try expectProblem(response, status: .unsupportedMediaType)
            #expect(body["detail"] == "Content-Type must be application/json")

            let missing = try await client.execute(uri: "/signup", method: .post, body: ByteBuffer(string: "{}"))
            try expectProblem(missing, status: .unsupportedMediaType)
        }
    }

    @Test func unexpectedErrorIs500WithoutLeaking() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/boom", method: .get)
            let body = try expectProblem(response, status: .internalServerError)
            #expect(body["detail"] == "internal error")
            let text = String(buffer: response.body)
            #expect(!text.contains("SECRET"))
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("LeakyError"))
            #expect(Set(body.keys) == ["type", "title", "status", "detail", "request_id"])
        }
    }

    @Test func thrownProblemKeepsItsMembers() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/teapot", method: .get)
            let body = try expectProblem(response, status: .init(code: 418))
            #expect(body["detail"] == "short and stout")
        }
    }

    @Test func hummingbirdHTTPErrorKeepsStatusAndHeaders() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/hb-error", method: .get)
            let body = try expectProblem(response, status: .unauthorized)
            #expect(body["detail"] == "token expired")
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func problemEncodesExtensionsAndRetryAfter() throws {
        var problem = Problem.tooManyRequests(retryAfter: 30)
        problem.extensions["status"] = "ignored: reserved"
        let response = problem.makeResponse()
        #expect(response.status == .tooManyRequests)
        #expect(response.headers[.retryAfter] == "30")
        #expect(response.headers[.contentType] == "application/problem+json")
        let body = String(decoding: problem.jsonBody(), as: UTF8.self)
        #expect(body == #"{"detail":"try again later","retry_after":30,"status":429,"title":"Too many requests","type":"urn:authd:problem:rate-limited"}"#)
    }
}
