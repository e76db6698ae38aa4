import AuthHTTP
import Hummingbird
import HummingbirdTesting
import Testing

/// Security headers, query-credential rejection, CSRF and request metadata.
@Suite struct MiddlewareTests {
    struct ContextEcho: Encodable, Sendable {
        let requestID: String
        let clientRequestID: String?
        let clientIP: String?
        let userAgent: String?
        let maxUploadSize: Int
    }

    static func server(trustProxy: Bool = false) -> AuthServer {
        makeServer(ServerConfiguration(port: 0, maxBodyBytes: 4096, trustProxy: trustProxy)) { routes in
            routes.get("/context") { _, context in
                JSONResponse(ContextEcho(
                    requestID: context.requestID, clientRequestID: context.clientRequestID, clientIP: context.clientIP,
                    userAgent: context.userAgent, maxUploadSize: context.maxUploadSize
                ))
            }
            routes.get("/static") { _, _ in
                Response(status: .ok).cacheable("public, max-age=3600")
            }
            let csrf = CSRFPolicy(allowedOrigins: ["https://app.example.com"])
            routes.group("/cookie")
                .add(middleware: CSRFMiddleware(policy: csrf, sessionCookieName: "sid"))
                .post("/change") { _, _ in JSONResponse(["ok": true]) }
        }
    }

    @Test func securityHeadersOnSuccessAndErrors() async throws {
        try await Self.server().buildApplication().test(.router) { client in
            for uri in ["/healthz", "/missing"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[.referrerPolicy] == "strict-origin-when-cross-origin")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.xFrameOptions] == "DENY")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.xRequestID]?.isEmpty == false)
            }
        }
    }

    @Test func routeCanOptOutOfNoStore() async throws {
        try await Self.server().buildApplication().test(.router) { client in
            let response = try await client.execute(uri: "/static", method: .get)
            #expect(response.headers[.cacheControl] == "public, max-age=3600")
            #expect(response.headers[.xFrameOptions] == "DENY")
        }
    }

    @Test func credentialsInQueryAreRejected() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            for query in ["access_token=abc", "token=abc", "refresh_token=x", "session=1", "a=1&TOKEN=2", "acc%65ss_token=x", "token"] {
                let response = try await client.execute(uri: "/healthz?\(query)", method: .get)
                let body = try expectProblem(response, status: .badRequest)
                #expect(body["type"] == .string(Problem.Types.credentialsInQuery), "query: \(query)")
            }
            let fine = try await client.execute(uri: "/healthz?tokens=1&next=/x", method: .get)
            #expect(fine.status == .ok)
        }
    }

    @Test func csrfPolicyDecisions() {
        let policy = CSRFPolicy(allowedOrigins: ["https://App.Example.com/"])
        #expect(policy.allowedOrigins == ["https://app.example.com"])
        #expect(policy.permits(method: .get, headers: [:]))
        #expect(policy.permits(method: .head, headers: [.origin: "https://evil.example"]))
        #expect(policy.permits(method: .post, headers: [.origin: "https://app.example.com"]))
        #expect(policy.permits(method: .delete, headers: [.origin: "HTTPS://APP.EXAMPLE.COM"]))
        #expect(policy.permits(method: .put, headers: [.secFetchSite: "same-origin"]))
        #expect(!policy.permits(method: .post, headers: [:]))
        #expect(!policy.permits(method: .post, headers: [.origin: "https://evil.example"]))
        #expect(!policy.permits(method: .patch, headers: [.origin: "null"]))
        #expect(!policy.permits(method: .post, headers: [.secFetchSite: "cross-site"]))
        #expect(!policy.permits(method: .post, headers: [.secFetchSite: "same-site"]))
    }

    @Test func csrfMiddlewareAppliesToCookieRequestsOnly() async throws {
        try await Self.server().buildApplication().test(.router) { client in
            // Cookie, no origin: refused.
            let denied = try await client.execute(uri: "/cookie/change", method: .post, headers: [.cookie: "sid=abc"])
            let body = try expectProblem(denied, status: .forbidden)
            #expect(body["type"] == .string(Problem.Types.csrf))
            // Cookie from a foreign origin: refused.
            let foreign = try await client.execute(
                uri: "/cookie/change", method: .post, headers: [.cookie: "sid=abc", .origin: "https://evil.example"]
            )
            try expectProblem(foreign, status: .forbidden)
            // Cookie from the allowed origin, or same-origin fetch metadata: allowed.
            let allowed = try await client.execute(
                uri: "/cookie/change", method: .post, headers: [.cookie: "sid=abc", .origin: "https://app.example.com"]
            )
            #expect(allowed.status == .ok)
            let sameOrigin = try await client.execute(
                uri: "/cookie/change", method: .post, headers: [.cookie: "sid=abc", .secFetchSite: "same-origin"]
            )
            #expect(sameOrigin.status == .ok)
            // Bearer-authenticated or cookieless requests are not subject to the check.
            let bearer = try await client.execute(
                uri: "/cookie/change", method: .post, headers: [.cookie: "sid=abc", .authorization: "Bearer t"]
            )
            #expect(bearer.status == .ok)
            let noCookie = try await client.execute(uri: "/cookie/change", method: .post)
            #expect(noCookie.status == .ok)
        }
    }

    /// Threat: a client-chosen `X-Request-Id` went into audit events as the request id. The request id is always the
    /// server's; the client's value is kept apart (logs only), sanitised and bounded.
    @Test func requestIDIsAlwaysServerGeneratedAndClientIDIsSanitised() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            let response = try await client.execute(uri: "/context", method: .get, headers: [.xRequestID: "abc-123.X_y:z"])
            let body = try jsonObject(response)
            let serverID = try #require(body["requestID"]?.stringValue)
            #expect(serverID != "abc-123.X_y:z" && serverID.count == 22)
            #expect(response.headers[.xRequestID] == serverID)
            #expect(body["clientRequestID"] == "abc-123.X_y:z")

            let cases: [(String, String?)] = [
                ("has space", "has_space"), (String(repeating: "x", count: 65), String(repeating: "x", count: 64)),
                ("semi;colon", "semi_colon"), ("new\u{7f}line", "new_line"), ("é\u{301}", "__"),
            ]
            for (sent, kept) in cases {
                let response = try await client.execute(uri: "/context", method: .get, headers: [.xRequestID: sent])
                let body = try jsonObject(response)
                #expect(body["requestID"]?.stringValue?.count == 22)
                #expect(response.headers[.xRequestID] == body["requestID"]?.stringValue)
                #expect(body["clientRequestID"]?.stringValue == kept)
            }
            let none = try jsonObject(try await client.execute(uri: "/context", method: .get))
            #expect(none["clientRequestID"] == nil || none["clientRequestID"] == .null)
        }
    }

    /// Threat: the user agent was cut to 256 characters, so one letter and thousands of combining marks (one
    /// character) passed whole into events. It is cut to 256 UTF-8 bytes at a character boundary.
    @Test func userAgentIsCutToTwoHundredFiftySixBytes() async throws {
        try await Self.server().buildApplication().test(.live) { client in
            func agent(_ sent: String) async throws -> String? {
                try jsonObject(try await client.execute(uri: "/context", method: .get, headers: [.userAgent: sent]))["userAgent"]?
                    .stringValue
            }
            let ascii = try #require(try await agent(String(repeating: "a", count: 400)))
            #expect(ascii == String(repeating: "a", count: 256))
            // A combining-mark flood: one character of 1 + 2 × 5,000 bytes.
            let flood = "a" + String(repeating: "\u{301}", count: 5_000)
            let cutFlood = try #require(try await agent(flood))
            #expect(cutFlood.utf8.count <= 256 && cutFlood.utf8.count >= 255)
            #expect(cutFlood.utf8.starts(with: "a\u{301}\u{301}".utf8))
            // Two-byte characters and a flood after a normal prefix: cut at the last whole character that fits.
            let mixed = "Mozilla/5.0 " + String(repeating: "é", count: 200)
            let cutMixed = try #require(try await agent(mixed))
            #expect(cutMixed.utf8.count == 256 && mixed.hasPrefix(cutMixed))
            let prefixedFlood = "Mozilla/5.0 x" + String(repeating: "\u{301}", count: 5_000)
            #expect(try await agent(prefixedFlood) == "Mozilla/5.0 ")
            #expect(try await agent("curl/8.0") == "curl/8.0")
        }
    }

    @Test func clientTextTruncation() {
        #expect(ClientText.truncated("abc", maxBytes: 2) == "ab")
        #expect(ClientText.truncated("aé", maxBytes: 2) == "a")
        #expect(ClientText.truncated("👍👍", maxBytes: 5) == "👍")
        #expect(ClientText.truncated("e\u{301}\u{301}", maxBytes: 3) == "e\u{301}")
        #expect(ClientText.truncated("short") == "short")
    }

    /// HSTS: `max-age=31536000` on every response (errors too) when the issuer is https; includeSubDomains only
    /// when configured; nothing for an http issuer.
    @Test func strictTransportSecurityWhenTheIssuerIsHTTPS() async throws {
        func server(issuer: String, includeSubdomains: Bool = false) -> AuthServer {
            var configuration = ServerConfiguration(port: 0, issuer: issuer)
            configuration.hstsIncludeSubdomains = includeSubdomains
            return makeServer(configuration) { routes in
                routes.get("/ok") { _, _ in JSONResponse(["ok": true]) }
            }
        }
        try await server(issuer: "https://auth.example.com").buildApplication().test(.live) { client in
            let ok = try await client.execute(uri: "/ok", method: .get)
            #expect(ok.headers[.strictTransportSecurity] == "max-age=31536000")
            let missing = try await client.execute(uri: "/missing", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.strictTransportSecurity] == "max-age=31536000")
        }
        try await server(issuer: "https://auth.example.com", includeSubdomains: true).buildApplication().test(.live) { client in
            let ok = try await client.execute(uri: "/ok", method: .get)
            #expect(ok.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
        }
        try await server(issuer: "http://localhost:8080").buildApplication().test(.live) { client in
            let ok = try await client.execute(uri: "/ok", method: .get)
            #expect(ok.status == .ok)
            #expect(ok.headers[.strictTransportSecurity] == nil)
        }
    }

    @Test func forwardedForOnlyWhenTrusted() async throws {
        let headers: HTTPFields = [.xForwardedFor: "6.6.6.6, 203.0.113.7"]
        try await Self.server(trustProxy: false).buildApplication().test(.live) { client in
            let body = try jsonObject(try await client.execute(uri: "/context", method: .get, headers: headers))
            #expect(body["clientIP"] != "203.0.113.7")
        }
        try await Self.server(trustProxy: true).buildApplication().test(.live) { client in
            let body = try jsonObject(try await client.execute(uri: "/context", method: .get, headers: headers))
            #expect(body["clientIP"] == "203.0.113.7")
            // A garbage right-most entry falls back to the peer address.
            let garbage = try jsonObject(try await client.execute(uri: "/context", method: .get, headers: [.xForwardedFor: "1.2.3.4, evil"]))
            #expect(garbage["clientIP"] == "127.0.0.1" || garbage["clientIP"] == "::1")
        }
    }

    @Test func forwardedClientParsing() {
        #expect(IPAddress.forwardedClient(from: ["1.1.1.1", "2.2.2.2, 2001:db8::1"]) == "2001:db8::1")
        #expect(IPAddress.forwardedClient(from: ["[2001:db8::2]"]) == "2001:db8::2")
        #expect(IPAddress.forwardedClient(from: ["1.1.1.1:80"]) == nil)
        #expect(IPAddress.forwardedClient(from: []) == nil)
    }

    /// The per-request header lookup gives what the name subscript gives: the one value as it is, several values
    /// joined (`Cookie` with `; `), none as `nil`; names compare case-insensitively.
    @Test func headerValueAgreesWithTheNameSubscript() {
        let ua = HTTPFields.Element.Name("user-agent")!
        let cases: [HTTPFields] = [
            [:],
            [.authorization: "Bearer abc"],
            [.contentType: "application/json", ua: "curl/8"],
            HTTPFields([.init(name: .authorization, value: "Bearer a"), .init(name: .accept, value: "*/*"), .init(name: .authorization, value: "Bearer b")]),
            HTTPFields([.init(name: .cookie, value: "a=1"), .init(name: .cookie, value: "b=2")]),
        ]
        for fields in cases {
            for name in [HTTPFields.Element.Name.authorization, .userAgent, .contentType, .cookie, .accept] {
                #expect(fields.value(of: name) == fields[name], "\(name) in \(fields)")
            }
        }
        #expect(cases[3].value(of: .authorization) == "Bearer a, Bearer b")
        #expect(cases[2].value(of: .userAgent) == "curl/8")
    }
}
