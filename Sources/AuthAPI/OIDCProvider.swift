import AuthCore
import AuthCrypto
import EventLog
import Foundation
import JOSE
import StrictJSON

/// One configured provider at run time: its endpoints (discovered once for `oidc`, then cached), its signing keys
/// (cached; an unknown `kid` refetches them at most once per ``jwksRefetchInterval``), the code exchange and the
/// identity it yields. The provider's tokens live only in this call's memory.
actor OIDCProvider {
    /// Seconds between two JWKS fetches caused by unknown key ids.
    static let jwksRefetchInterval: Int64 = 10
    /// Clock-skew leeway for `exp` and `iat`, seconds.
    static let leewaySeconds = 60
    /// How long discovered metadata is reused, seconds.
    static let metadataLifetime: Int64 = 3600

    /// The endpoints used.
    struct Endpoints: Sendable {
        var authorization: String
        var token: String
        var jwksURI: String?
        var userinfo: String?
        var emails: String?
        /// ID token algorithms the provider's metadata allows that we implement (never `none` or HMAC).
        var algorithms: [JWSAlgorithm]
    }

    let configuration: OIDCProviderConfiguration
    let http: OIDCHTTPClient
    let clock: any Clock
    private var endpoints: (value: Endpoints, fetchedAt: Timestamp)?
    private var keys: [TrustedKey] = []
    private var keysFetchedAt: Timestamp?

    init(configuration: OIDCProviderConfiguration, http: OIDCHTTPClient, clock: any Clock) {
        self.configuration = configuration
        self.http = http
        self.clock = clock
    }

    /// The endpoints: for `github` the configured ones; for `oidc` the discovery document's (its `issuer` must equal
    /// the configured one exactly), each replaced by a configured override.
    func currentEndpoints() async throws(ExternalLoginFailure) -> Endpoints {
        let now = clock.now()
        if let endpoints, now < endpoints.fetchedAt.adding(seconds: Self.metadataLifetime) { return endpoints.value }
        let c = configuration
        let value: Endpoints
        switch c.kind {
        case .github:
            value = Endpoints(
                authorization: c.authorizationEndpoint!, token: c.tokenEndpoint!, jwksURI: nil, userinfo: c.userinfoEndpoint,
                emails: c.emailsEndpoint, algorithms: [])
        case .oidc:
            let base = c.issuer.hasSuffix("/") ? String(c.issuer.dropLast()) : c.issuer
            let document: [String: JSONValue]
            do {
                document = try Self.object(try await http.get(base + "/.well-known/openid-configuration"))
            } catch let error as ProviderCallError {
                throw ExternalLoginFailure(error)
            } catch {
                throw .providerError("discovery document is not a JSON object")
            }
            guard document["issuer"]?.stringValue == c.issuer else { throw .providerError("discovery issuer differs from the configured one") }
            func endpoint(_ override: String?, _ name: String) throws(ExternalLoginFailure) -> String? {
                if let override { return override }
                guard let text = document[name]?.stringValue else { return nil }
                guard OIDCProviderConfiguration.isAllowedEndpoint(text) else { throw .providerError("\(name) is not an allowed URL") }
                return text
            }
            let advertised = document["id_token_signing_alg_values_supported"]?.arrayValue?.compactMap(\.stringValue) ?? ["RS256"]
            let algorithms = advertised.compactMap(JWSAlgorithm.init(rawValue:))
            guard let authorization = try endpoint(c.authorizationEndpoint, "authorization_endpoint"),
                let token = try endpoint(c.tokenEndpoint, "token_endpoint"), let jwks = try endpoint(c.jwksURI, "jwks_uri"),
                !algorithms.isEmpty
            else { throw .providerError("discovery document lacks an endpoint or a supported algorithm") }
            value = Endpoints(
                authorization: authorization, token: token, jwksURI: jwks, userinfo: try endpoint(c.userinfoEndpoint, "userinfo_endpoint"),
                emails: nil, algorithms: algorithms)
        }
        endpoints = (value, now)
        return value
    }

    /// Exchanges `code` (with the PKCE verifier) at the token endpoint and returns the verified identity.
    func identity(code: String, verifier: String, nonce: String, redirectURI: String) async throws(ExternalLoginFailure) -> ExternalIdentity {
        let endpoints = try await currentEndpoints()
        let c = configuration
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)]
        var basic: (user: String, password: String)?
        switch c.tokenEndpointAuthMethod {
        case .clientSecretBasic: basic = (c.clientID, c.clientSecret)
        case .clientSecretPost: form += [("client_id", c.clientID), ("client_secret", c.clientSecret)]
        }
        let response: [String: JSONValue]
        do {
            response = try Self.object(try await http.postForm(endpoints.token, form: form, basic: basic))
        } catch let error as ProviderCallError {
            throw ExternalLoginFailure(error)
        } catch {
            throw .providerError("token response is not a JSON object")
        }
        guard let accessToken = response["access_token"]?.stringValue, !accessToken.isEmpty else {
            throw .providerError("token response has no access_token")
        }
        switch c.kind {
        case .oidc:
            guard let idToken = response["id_token"]?.stringValue else { throw .idTokenInvalid("token response has no id_token") }
            return try await verifyIDToken(idToken, accessToken: accessToken, nonce: nonce, endpoints: endpoints)
        case .github:
            return try await githubIdentity(accessToken: accessToken, endpoints: endpoints)
        }
    }

    /// The ID token checks: signature by a provider key pinned to an allowed algorithm, `iss` exact, `aud` contains
    /// our client id, `azp` (required with several audiences) equal to it, `exp`/`iat` with 60 s leeway, `nonce`,
    /// and `at_hash` when present.
    func verifyIDToken(
        _ token: String, accessToken: String, nonce: String, endpoints: Endpoints
    ) async throws(ExternalLoginFailure) -> ExternalIdentity {
        let c = configuration
        let policy = JWTValidationPolicy(
            issuer: c.issuer, audience: c.clientID, leewaySeconds: Self.leewaySeconds, requireIssuedAt: true, requiredType: nil)
        if keysFetchedAt == nil { try await refreshKeys(endpoints) }
        let nowSeconds = clock.now().microseconds / 1_000_000
        let claims: JWTClaims
        do {
            claims = try JWTVerifier(keys: keys, policy: policy).verify(token, now: nowSeconds)
        } catch .missingKeyID {
            // A token without `kid` is accepted only from a provider publishing one usable key.
            guard keys.count == 1 else { throw .idTokenInvalid("no kid and several keys") }
            do {
                claims = try JWTVerifier(keys: keys, policy: policy).verify(token, now: nowSeconds, onlyKey: keys[0])
            } catch {
                throw .idTokenInvalid("\(error)")
            }
        } catch .unknownKeyID {
            // A rotated key: refetch, at most once per interval (a flood of unknown kids costs one fetch).
            guard let last = keysFetchedAt, clock.now() >= last.adding(seconds: Self.jwksRefetchInterval) else {
                throw .idTokenInvalid("unknown kid")
            }
            try await refreshKeys(endpoints)
            do {
                claims = try JWTVerifier(keys: keys, policy: policy).verify(token, now: nowSeconds)
            } catch {
                throw .idTokenInvalid("\(error)")
            }
        } catch {
            throw .idTokenInvalid("\(error)")
        }
        if let azp = claims.all["azp"] {
            guard azp.stringValue == c.clientID else { throw .idTokenInvalid("azp") }
        } else if claims.audience.count > 1 {
            throw .idTokenInvalid("azp missing with several audiences")
        }
        guard let presented = claims.all["nonce"]?.stringValue,
            ConstantTime.equals(Array(presented.utf8), Array(nonce.utf8))
        else { throw .idTokenInvalid("nonce") }
        if let atHash = claims.all["at_hash"] {
            let digest = claims.key.algorithm == .eddsa ? SHA512.hash(Array(accessToken.utf8)) : SHA256.hash(Array(accessToken.utf8))
            guard atHash.stringValue == Encoding.base64URL(Array(digest.prefix(digest.count / 2))) else { throw .idTokenInvalid("at_hash") }
        }
        guard claims.subject.utf8.count <= 255 else { throw .idTokenInvalid("sub too long") }
        let email = claims.all["email"]?.stringValue.flatMap(Email.normalize)
        return ExternalIdentity(
            provider: c.id, issuer: c.issuer, subject: claims.subject, email: email,
            emailVerified: email != nil && claims.all["email_verified"] == .bool(true))
    }

    private func refreshKeys(_ endpoints: Endpoints) async throws(ExternalLoginFailure) {
        guard let uri = endpoints.jwksURI else { throw .providerError("no jwks_uri") }
        keysFetchedAt = clock.now()
        do {
            keys = try JWKS(providerJSON: try await http.get(uri), allowedAlgorithms: endpoints.algorithms).keys
        } catch let error as ProviderCallError {
            throw ExternalLoginFailure(error)
        } catch {
            throw .providerError("JWKS: \(error)")
        }
    }

    /// GitHub: the numeric user id from the user endpoint is the subject; the primary address from the emails
    /// endpoint is the email only if it is verified.
    private func githubIdentity(accessToken: String, endpoints: Endpoints) async throws(ExternalLoginFailure) -> ExternalIdentity {
        guard let userURL = endpoints.userinfo, let emailsURL = endpoints.emails else { throw .providerError("no user endpoints") }
        do {
            let user = try Self.object(try await http.get(userURL, bearer: accessToken))
            guard let id = user["id"]?.numberValue, id >= 1, id < 9e15, id == id.rounded() else { throw ExternalLoginFailure.providerError("user id") }
            let emails = try JSONValue(parsing: try await http.get(emailsURL, bearer: accessToken)).arrayValue ?? []
            let primary = emails.compactMap(\.objectValue).first { $0["primary"] == .bool(true) && $0["verified"] == .bool(true) }
            let email = primary?["email"]?.stringValue.flatMap(Email.normalize)
            return ExternalIdentity(
                provider: configuration.id, issuer: configuration.issuer, subject: String(Int64(id)), email: email, emailVerified: email != nil)
        } catch let error as ProviderCallError {
            throw ExternalLoginFailure(error)
        } catch let error as ExternalLoginFailure {
            throw error
        } catch {
            throw .providerError("GitHub user API answer: \(error)")
        }
    }

    static func object(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        guard let object = try JSONValue(parsing: bytes).objectValue else { throw ProviderCallError.refused("not a JSON object") }
        return object
    }
}
