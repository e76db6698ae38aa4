import AuthAPI
import AuthCore
import AuthHTTP
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import HummingbirdTesting
import Testing

/// The external-login routes' own checks, before any provider is involved (the flows against real providers are
/// Tests/python/test_oidc_login.py and test_oidc_provider_mock.py): the provider list, unknown providers, the
/// `return_to` refusal, link mode's authentication, an unreachable provider, a callback without state, a made-up code.
@Suite struct ExternalLoginRoutesTests {
    /// A harness with one provider whose issuer is a closed loopback port.
    static func harness() throws -> Harness {
        let json = #"[{"id": "acme", "kind": "oidc", "issuer": "http://127.0.0.1:1", "client_id": "c", "client_secret": "s", "display_name": "Acme"}]"#
        let providers = try JSONDecoder().decode([OIDCProviderConfiguration].self, from: Data(json.utf8))
        return try Harness { $0.configuration.oidcProviders = providers }
    }

    @Test func checksComeBeforeTheProvider() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            let list = try await client.execute(uri: "/v1/oauth/providers", method: .get)
            #expect(list.status == .ok)
            #expect(object(list)["providers"] as? [[String: String]] == [["id": "acme", "display_name": "Acme"]])

            expectProblem(try await client.execute(uri: "/v1/oauth/nope/start", method: .get), .notFound)
            expectProblem(try await client.execute(uri: "/v1/oauth/acme/start?return_to=%2F%2Fevil.com", method: .get), .badRequest)
            expectProblem(try await client.execute(uri: "/v1/oauth/acme/start?return_to=/a&return_to=/b", method: .get), .badRequest)
            expectProblem(try await client.execute(uri: "/v1/oauth/acme/start?mode=implicit", method: .get), .badRequest)
            expectProblem(try await client.execute(uri: "/v1/oauth/acme/start?link=true", method: .get), .unauthorized)

            // Link mode needs recent authentication.
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let bearer: HTTPFields = [.authorization: "Bearer \(login.accessToken)"]
            let fresh = try await client.execute(uri: "/v1/oauth/acme/start?link=true", method: .get, headers: bearer)
            #expect(fresh.headers[.location] == "/#error=provider_unavailable", "authenticated, then the provider is asked")
            harness.clock.advance(seconds: 400)
            let stale = try await client.execute(uri: "/v1/oauth/acme/start?link=true", method: .get, headers: bearer)
            #expect(expectProblem(stale, .forbidden)["type"] as? String == "urn:authd:problem:reauthentication-required")

            // The provider cannot be reached: back to return_to with the error, no flow cookie.
            let down = try await client.execute(uri: "/v1/oauth/acme/start?return_to=/account", method: .get)
            #expect(down.status == .seeOther)
            #expect(down.headers[.location] == "/account#error=provider_unavailable")

            // A callback without state: refused, recorded.
            let callback = try await client.execute(uri: "/v1/oauth/acme/callback?code=x", method: .get)
            #expect(callback.status == .seeOther)
            #expect(callback.headers[.location] == "/#error=state_invalid")
            let failures = try harness.events(LoginFailed.self)
            #expect(failures.map { [$0.method, $0.reason, $0.provider ?? "-"] } == [["oidc", "state_invalid", "acme"]])

            let exchange = try await client.post("/v1/login/oauth/exchange", ["login_code": "made-up"])
            expectProblem(exchange, .unauthorized)
            expectProblem(try await client.post("/v1/login/oauth/exchange", ["login_code": "x", "extra": 1]), .badRequest)
        }
    }

    /// A flow left longer than 10 minutes is refused at the callback (`state_invalid`), even with its cookie; the
    /// provider here serves only discovery (the flow never reaches a code exchange).
    @Test func expiredFlowStateIsRefused() async throws {
        let router = Router()
        let issuer = Mutex<String>("")
        router.get("/.well-known/openid-configuration") { _, _ -> Response in
            let base = issuer.withLock { $0 }
            let document = #"{"issuer":"\#(base)","authorization_endpoint":"\#(base)/authorize","token_endpoint":"\#(base)/token","jwks_uri":"\#(base)/jwks","id_token_signing_alg_values_supported":["RS256"]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        let provider = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await provider.test(.live) { providerClient in
            let base = "http://127.0.0.1:\(try #require(providerClient.port))"
            issuer.withLock { $0 = base }
            let json = #"[{"id": "acme", "kind": "oidc", "issuer": "\#(base)", "client_id": "c", "client_secret": "s"}]"#
            let providers = try JSONDecoder().decode([OIDCProviderConfiguration].self, from: Data(json.utf8))
            let harness = try Harness { $0.configuration.oidcProviders = providers }
            try await harness.run { client in
                let start = try await client.execute(uri: "/v1/oauth/acme/start?return_to=/account", method: .get)
                #expect(start.status == .found)
                let location = try #require(start.headers[.location])
                #expect(location.hasPrefix(base + "/authorize?"))
                let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
                let setCookie = try #require(start.headers[.setCookie])
                #expect(setCookie.hasPrefix("__Host-oauth_flow=") && setCookie.contains("HttpOnly") && setCookie.contains("Secure"))
                let cookie = String(setCookie.prefix { $0 != ";" })
                harness.clock.advance(seconds: 601)
                let callback = try await client.execute(
                    uri: "/v1/oauth/acme/callback?code=c&state=\(state)", method: .get, headers: [.cookie: cookie])
                #expect(callback.status == .seeOther)
                // An expired entry is not read: its return_to is unknown, so the answer goes to "/".
                #expect(callback.headers[.location] == "/#error=state_invalid")
                #expect(try harness.events(LoginFailed.self).map(\.reason) == ["state_invalid"])
            }
        }
    }

    /// The providers file: unknown members, plain http off loopback, a bad id and a missing secret are refused.
    @Test func providerConfigurationIsStrict() throws {
        func decode(_ json: String) throws -> OIDCProviderConfiguration {
            try JSONDecoder().decode(OIDCProviderConfiguration.self, from: Data(json.utf8))
        }
        let good = try decode(#"{"id": "acme", "kind": "oidc", "issuer": "https://id.example.com", "client_id": "c", "client_secret": "s"}"#)
        #expect(good.allowSignup == false && good.scopes == ["openid", "email", "profile"] && good.tokenEndpointAuthMethod == .clientSecretBasic)
        let github = try decode(#"{"id": "gh", "kind": "github", "client_id": "c", "client_secret": "s"}"#)
        #expect(github.issuer == "https://github.com" && github.emailsEndpoint == "https://api.github.com/user/emails")
        for bad in [
            #"{"id": "acme", "kind": "oidc", "issuer": "https://id.example.com", "client_id": "c", "client_secret": "s", "alow_signup": true}"#,
            #"{"id": "acme", "kind": "oidc", "issuer": "http://id.example.com", "client_id": "c", "client_secret": "s"}"#,
            #"{"id": "Acme!", "kind": "oidc", "issuer": "https://id.example.com", "client_id": "c", "client_secret": "s"}"#,
            #"{"id": "acme", "kind": "oidc", "issuer": "https://id.example.com", "client_id": "c"}"#,
            #"{"id": "acme", "kind": "oidc", "issuer": "https://id.example.com", "client_id": "c", "client_secret": "s", "scopes": ["email"]}"#,
            #"{"id": "gh", "kind": "github", "client_id": "c", "client_secret": "s", "token_endpoint": "http://evil.example/token"}"#,
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try decode(bad) }
        }
    }
}
