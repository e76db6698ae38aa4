import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird

/// `POST /v1/login/password {email, password, mode}`.
struct PasswordLoginRequest: StrictDecodable {
    enum Mode: String, Decodable { case cookie, token }
    let email: String
    let password: String
    let mode: Mode
    enum CodingKeys: String, CodingKey, CaseIterable { case email, password, mode }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct LoginResponse: Encodable {
    let sessionID: String
    let userID: String
    let aal: String
    let expiresAt: String
    var accessToken: String?
    var tokenType: String?
    var expiresIn: Int64?
    var refreshToken: String?

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", userID = "user_id", aal, expiresAt = "expires_at", accessToken = "access_token"
        case tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sessionID, forKey: .sessionID)
        try container.encode(userID, forKey: .userID)
        try container.encode(aal, forKey: .aal)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(accessToken, forKey: .accessToken)
        try container.encodeIfPresent(tokenType, forKey: .tokenType)
        try container.encodeIfPresent(expiresIn, forKey: .expiresIn)
        try container.encodeIfPresent(refreshToken, forKey: .refreshToken)
    }
}

extension AuthService {
    func addLoginRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/login/password") { request, context in
            try await self.passwordLogin(request, context: context)
        }
    }

    /// Password login. Unknown emails are verified against a dummy hash with the same parameters, and both kinds of
    /// failure write one `login.failed` event, so they take the same time and get the same 401 body. Failures spend
    /// the account's budget for this client only (``LoginThrottle``); a cookie-mode success sets the device cookie that
    /// keeps this browser out of strangers' budgets.
    func passwordLogin(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: PasswordLoginRequest.self, context: context)
        let email = try Self.normalizedEmail(body.email)
        try Self.checkPresentedPassword(body.password, field: "password")
        let info = requestInfo(context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        let user = try store.query { try $0.user(email: email) }
        let budgets = loginThrottle.budgets(
            email: email, deviceCookie: request.cookies[LoginThrottle.deviceCookieName]?.value, clientKey: ipKey(context))
        try await reserveLoginBudgets(budgets, userID: user?.id, context: context)

        let storedHash = user?.record.passwordHash ?? dummyHash
        let password = body.password
        let parameters = options.argon2
        let isKnown = user != nil
        let (verified, rehash) = try await hashing { () -> (Bool, String?) in
            guard Argon2id.verify(encoded: storedHash, password: password) else { return (false, nil) }
            guard isKnown, Argon2id.needsRehash(storedHash, target: parameters) else { return (true, nil) }
            return (true, try? Argon2id.hash(password: password, parameters: parameters))
        }
        guard let user, verified else {
            try await store.run(
                RecordLoginFailure(
                    userID: user?.id, subject: keyedSubject(email), reason: user == nil ? "unknown_user" : "bad_password", request: info))
            throw Problem.invalidCredentials
        }
        // A locked account gets the wrong password's answer, and spends the budget as one (the command checks again
        // at commit time).
        if try store.query({ try $0.lock(ofUser: user.id) }) != nil {
            try await store.run(RecordLoginFailure(userID: user.id, subject: keyedSubject(email), reason: "account_locked", request: info))
            throw Problem.invalidCredentials
        }
        refundLoginBudgets(budgets)

        let configuration = options.configuration
        let sessionToken = OpaqueToken.generate()
        let refreshToken = body.mode == .token ? OpaqueToken.generate() : nil
        let create = CreateSession(
            userID: user.id, sessionID: Identifier.session(), tokenHash: sessionToken.hash, method: "password", aal: "aal1",
            mode: body.mode.rawValue, lifetime: Int64(configuration.sessionTTL), idleTimeout: Int64(configuration.sessionIdleTimeout),
            refresh: refreshToken.map {
                CreateSession.Refresh(familyID: Identifier.family(), tokenHash: $0.hash, lifetime: Int64(configuration.refreshTTL))
            },
            request: info)
        let rehashCommand = rehash.map { newHash in
            RehashPassword(
                userID: user.id, expectedHash: storedHash, newHash: newHash,
                previousParameters: Argon2id.parameters(of: storedHash)?.description ?? "unknown", request: info)
        }
        // With a second factor enabled the password only opens an MFA challenge, and under --require-verified-email
        // an unverified address gets 403 (only after the password check: it tells nothing to whoever does not know
        // the password); both decided in the transaction.
        let challenge = mfaChallenge(userID: user.id, mode: body.mode, request: info)
        var response: Response
        let login = PasswordLogin(
            session: create, rehash: rehashCommand, mfaChallenge: challenge.command, requireVerifiedEmail: configuration.requireVerifiedEmail)
        switch try await store.run(login) {
        case .session(let created):
            response = try loginResponse(created, mode: body.mode, sessionToken: sessionToken, refreshToken: refreshToken)
        case .mfaRequired:
            response = try Respond.json(challenge.body)
        }
        if body.mode == .cookie { response.headers.append(.init(name: .setCookie, value: deviceCookie(email: email))) }
        return response
    }

    /// The response of a successful login (password or passkey): the session cookie in cookie mode, an access token
    /// and the first refresh token in token mode.
    func loginResponse(
        _ created: CreateSession.Result, mode: PasswordLoginRequest.Mode, sessionToken: OpaqueToken, refreshToken: OpaqueToken?
    ) throws -> Response {
        let configuration = options.configuration
        var response = LoginResponse(
            sessionID: created.sessionID, userID: created.userID, aal: created.aal, expiresAt: created.expiresAt.rfc3339)
        var headers = HTTPFields()
        switch mode {
        case .cookie:
            headers[.setCookie] = sessionCookie(sessionToken.text, maxAge: configuration.sessionTTL)
        case .token:
            let access = try tokens.issue(userID: created.userID, sessionID: created.sessionID, aal: created.aal, now: created.createdAt)
            response.accessToken = access.token
            response.tokenType = "Bearer"
            response.expiresIn = access.expiresIn
            response.refreshToken = refreshToken?.text
        }
        return try Respond.json(response, headers: headers)
    }
}
