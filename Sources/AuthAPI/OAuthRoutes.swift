import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird

/// `POST /v1/login/oauth/exchange {login_code}`.
struct LoginCodeExchangeRequest: StrictDecodable {
    let loginCode: String
    enum CodingKeys: String, CodingKey, CaseIterable { case loginCode = "login_code" }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// The server-side state of one external login or link flow (the payload of its ``FlowState`` entry, keyed by
/// SHA-256 of `state`): never in the log, single use, 10 minutes.
struct OAuthFlow: Codable, Sendable {
    var provider: String
    /// The PKCE code verifier.
    var verifier: String
    var nonce: String
    var returnTo: String
    /// `cookie` or `token`.
    var mode: String
    /// SHA-256 (base64url) of the flow cookie's value: the callback must come from the browser that started.
    var cookieHash: String
    /// Set for a link flow: the user to link to.
    var linkUserID: String?
}

struct ProviderListResponse: Encodable {
    struct Entry: Encodable {
        let id: String
        let displayName: String
        enum CodingKeys: String, CodingKey { case id, displayName = "display_name" }
    }
    let providers: [Entry]
}

extension AuthService {
    /// Seconds a flow may take from start to callback.
    static let oauthFlowLifetime: Int64 = 600
    /// Seconds a login code stays redeemable.
    static let loginCodeLifetime: Int64 = 60
    /// The flow cookie (bound to the flow's state, `__Host-`: Secure, Path=/, no Domain).
    static let flowCookieName = "__Host-oauth_flow"

    func addOAuthRoutes(_ routes: AuthRoutes) {
        routes.get("/v1/oauth/providers") { _, _ in
            try Respond.json(
                ProviderListResponse(providers: self.options.configuration.oidcProviders.map { .init(id: $0.id, displayName: $0.displayName) }))
        }
        routes.get("/v1/oauth/{provider}/start") { request, context in try await self.startExternalLogin(request, context: context) }
        routes.get("/v1/oauth/{provider}/callback") { request, context in try await self.externalLoginCallback(request, context: context) }
        routes.post("/v1/login/oauth/exchange") { request, context in try await self.exchangeLoginCode(request, context: context) }
    }

    private func provider(_ context: AuthRequestContext) throws -> OIDCProvider {
        guard let id = context.parameters.get("provider"), let provider = oidcProviders[id] else {
            throw Problem.notFound("no such login provider")
        }
        return provider
    }

    /// The single value of query parameter `name`; 400 if it is repeated.
    private static func query(_ request: Request, _ name: String) throws -> String? {
        let values = request.uri.queryParameters[values: Substring(name)]
        guard values.count <= 1 else { throw Problem.invalidField(name, reason: "repeated", detail: "parameter '\(name)' is repeated") }
        return values.first.map(String.init)
    }

    /// Starts a login (or, with `link=true` and a recently authenticated session, a link): validates `return_to`
    /// (400 if refused), records the flow state and answers 302 to the provider with the flow cookie.
    func startExternalLogin(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let provider = try provider(context)
        let returnTo = try Self.query(request, "return_to") ?? "/"
        guard let validReturnTo = returnToPolicy.validate(returnTo) else {
            throw Problem.invalidField("return_to", reason: "not_allowed", detail: "return_to must be a path on this origin or an allowed URL")
        }
        let mode = try Self.query(request, "mode") ?? "cookie"
        guard mode == "cookie" || mode == "token" else {
            throw Problem.invalidField("mode", reason: "invalid", detail: "mode must be cookie or token")
        }
        var linkUserID: String?
        switch try Self.query(request, "link") {
        case nil, "false": break
        case "true":
            let principal = try await authenticate(request, context: context)
            try requireRecentAuthentication(principal)
            linkUserID = principal.userID
        default: throw Problem.invalidField("link", reason: "invalid", detail: "link must be true or false")
        }
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        let endpoints: OIDCProvider.Endpoints
        do {
            endpoints = try await provider.currentEndpoints()
        } catch {
            return Self.finishRedirect(validReturnTo, fragment: "error=" + error.code)
        }
        let state = OpaqueToken.generate().text
        let nonce = OpaqueToken.generate().text
        let verifier = OpaqueToken.generate().text + OpaqueToken.generate().text
        let cookie = OpaqueToken.generate().text
        let flow = OAuthFlow(
            provider: provider.configuration.id, verifier: verifier, nonce: nonce, returnTo: validReturnTo, mode: mode,
            cookieHash: Encoding.base64URL(SHA256.hash(Array(cookie.utf8))), linkUserID: linkUserID)
        let payload = Array(try JSONEncoder().encode(flow))
        _ = try await store.run(
            IssueFlowState(
                table: challenges.table, key: SHA256.hash(Array(state.utf8)), kind: .oauthFlow, payload: payload, lifetime: Self.oauthFlowLifetime))
        let configuration = provider.configuration
        var components = URLComponents(string: endpoints.authorization) ?? URLComponents()
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: configuration.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI(configuration.id)),
            URLQueryItem(name: "scope", value: configuration.scopes.joined(separator: " ")), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "code_challenge", value: Encoding.base64URL(SHA256.hash(Array(verifier.utf8)))),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        if configuration.kind == .oidc { items.append(URLQueryItem(name: "nonce", value: nonce)) }
        components.queryItems = items
        // Form-encode the few characters URLComponents leaves in a query value.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        var headers = HTTPFields()
        headers[.location] = components.string ?? endpoints.authorization
        headers[.cacheControl] = "no-store"
        headers[.setCookie] = "\(Self.flowCookieName)=\(cookie); Path=/; Max-Age=\(Self.oauthFlowLifetime); HttpOnly; Secure; SameSite=Lax"
        return Response(status: .found, headers: headers)
    }

    /// The redirect URI registered at the provider.
    func redirectURI(_ providerID: String) -> String {
        var issuer = options.configuration.issuer
        if issuer.hasSuffix("/") { issuer.removeLast() }
        return issuer + "/v1/oauth/\(providerID)/callback"
    }

    /// 303 to `returnTo` with `fragment`, clearing the flow cookie.
    static func finishRedirect(_ returnTo: String, fragment: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.location] = returnTo + "#" + fragment
        headers[.cacheControl] = "no-store"
        headers.append(.init(name: .setCookie, value: "\(flowCookieName)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"))
        return Response(status: .seeOther, headers: headers)
    }

    /// The provider's redirect back: the flow state is consumed (single use) and must match the flow cookie, the
    /// code is exchanged, the identity verified, then ``ExternalLogin`` (or ``LinkIdentity``) decides. Every failure is
    /// a 303 to `return_to` with `#error=CODE` and a `login.failed` event.
    func externalLoginCallback(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let provider = try provider(context)
        let providerID = provider.configuration.id
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        let info = requestInfo(context)
        var returnTo = "/"
        var linkUserID: String?
        func fail(_ failure: ExternalLoginFailure) async throws -> Response {
            try await store.run(
                RecordLoginFailure(
                    userID: linkUserID, subject: keyedSubject("oidc:" + providerID), reason: failure.code, method: "oidc", provider: providerID,
                    request: info))
            return Self.finishRedirect(returnTo, fragment: "error=" + failure.code)
        }
        guard let state = try? Self.query(request, "state"), !state.isEmpty, state.utf8.count <= 256 else { return try await fail(.stateInvalid) }
        let outcome = try await store.run(ConsumeFlowState(table: challenges.table, key: SHA256.hash(Array(state.utf8)), kind: .oauthFlow))
        guard case .consumed(let payload) = outcome, let flow = try? JSONDecoder().decode(OAuthFlow.self, from: Data(payload)) else {
            return try await fail(.stateInvalid)
        }
        returnTo = flow.returnTo
        linkUserID = flow.linkUserID
        let cookie = request.cookies[Self.flowCookieName]?.value ?? ""
        guard flow.provider == providerID,
            ConstantTime.equals(SHA256.hash(Array(cookie.utf8)), Encoding.fromBase64URL(flow.cookieHash) ?? [])
        else { return try await fail(.stateInvalid) }
        if let error = try? Self.query(request, "error") {
            return try await fail(error == "access_denied" ? .accessDenied : .providerError(String(error.prefix(64))))
        }
        guard let code = try? Self.query(request, "code"), !code.isEmpty, code.utf8.count <= 2048 else {
            return try await fail(.providerError("no code"))
        }
        let identity: ExternalIdentity
        do {
            identity = try await provider.identity(code: code, verifier: flow.verifier, nonce: flow.nonce, redirectURI: redirectURI(providerID))
        } catch {
            context.logger.info("external login through \(providerID) failed: \(error)")
            return try await fail(error)
        }
        if let userID = flow.linkUserID {
            switch try await store.run(LinkIdentity(userID: userID, identityID: Identifier.identity(), identity: identity, request: info)) {
            case .linked, .alreadyLinked: return Self.finishRedirect(returnTo, fragment: "linked=" + providerID)
            case .linkedElsewhere:
                throw Problem(
                    status: .conflict, type: Problem.AuthTypes.conflict, title: "Identity linked elsewhere",
                    detail: "this \(provider.configuration.displayName) account is linked to another user")
            }
        }
        return try await finishExternalLogin(identity, flow: flow, provider: provider.configuration, info: info)
    }

    private func finishExternalLogin(
        _ identity: ExternalIdentity, flow: OAuthFlow, provider: OIDCProviderConfiguration, info: RequestInfo
    ) async throws -> Response {
        let configuration = options.configuration
        let mode: PasswordLoginRequest.Mode = flow.mode == "token" ? .token : .cookie
        // A user created by this login gets a random password nobody knows (argon2id, like any other).
        let unusablePassword = Encoding.base64URL(SecureRandom.bytes(32))
        let parameters = options.argon2
        let newHash = try await hashing { try Argon2id.hash(password: unusablePassword, parameters: parameters) }
        let sessionToken = OpaqueToken.generate()
        let loginCode = OpaqueToken.generate()
        let finish: ExternalLogin.Finish
        switch mode {
        case .cookie:
            finish = .session(
                CreateSession(
                    userID: "", sessionID: Identifier.session(), tokenHash: sessionToken.hash, method: "oidc", aal: "aal1", mode: "cookie",
                    lifetime: Int64(configuration.sessionTTL), idleTimeout: Int64(configuration.sessionIdleTimeout), refresh: nil,
                    request: info))
        case .token:
            finish = .loginCode(
                IssueFlowState(
                    table: challenges.table, key: SHA256.hash(Array(loginCode.text.utf8)), kind: .oauthLoginCode, payload: [],
                    lifetime: Self.loginCodeLifetime))
        }
        let challenge = mfaChallenge(userID: "", mode: mode, request: info)
        let command = ExternalLogin(
            identity: identity, allowSignup: provider.allowSignup, newUserID: Identifier.user(), newUserPasswordHash: newHash,
            identityID: Identifier.identity(), subjectHash: keyedSubject("oidc:" + identity.issuer + "|" + identity.subject), finish: finish,
            mfaChallenge: challenge.command, request: info, requireVerifiedEmail: configuration.requireVerifiedEmail)
        switch try await store.run(command) {
        case .session:
            var headers = HTTPFields()
            headers[.setCookie] = sessionCookie(sessionToken.text, maxAge: configuration.sessionTTL)
            return Self.finishRedirect(flow.returnTo, fragment: "login=ok", headers: headers)
        case .loginCode:
            return Self.finishRedirect(flow.returnTo, fragment: "login_code=" + loginCode.text)
        case .mfaRequired:
            return Self.finishRedirect(flow.returnTo, fragment: "mfa_token=" + challenge.body.mfaToken)
        case .refused(let reason):
            return Self.finishRedirect(flow.returnTo, fragment: "error=" + reason)
        }
    }

    /// Exchanges a login code (single use, 60 s) for the body of a token-mode login.
    func exchangeLoginCode(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: LoginCodeExchangeRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        let configuration = options.configuration
        let sessionToken = OpaqueToken.generate()
        let refreshToken = OpaqueToken.generate()
        let create = CreateSession(
            userID: "", sessionID: Identifier.session(), tokenHash: sessionToken.hash, method: "oidc", aal: "aal1", mode: "token",
            lifetime: Int64(configuration.sessionTTL), idleTimeout: Int64(configuration.sessionIdleTimeout),
            refresh: CreateSession.Refresh(familyID: Identifier.family(), tokenHash: refreshToken.hash, lifetime: Int64(configuration.refreshTTL)),
            request: requestInfo(context))
        guard body.loginCode.utf8.count <= 256,
            let created = try await store.run(
                RedeemLoginCode(
                    consume: ConsumeFlowState(table: challenges.table, key: SHA256.hash(Array(body.loginCode.utf8)), kind: .oauthLoginCode),
                    session: create))
        else {
            throw Problem(
                status: .unauthorized, type: Problem.AuthTypes.invalidCredentials, title: "Invalid login code",
                detail: "the login code is unknown, used or expired")
        }
        return try loginResponse(created, mode: .token, sessionToken: sessionToken, refreshToken: refreshToken)
    }
}
