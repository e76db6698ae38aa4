import AuthCore
import AuthHTTP
import EventLog
import Hummingbird

/// `POST /v1/email {new_email}`.
struct EmailChangeRequest: StrictDecodable {
    let newEmail: String
    enum CodingKeys: String, CodingKey, CaseIterable { case newEmail = "new_email" }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `{token}`: a link's token (`POST /v1/email/verify`, `POST /v1/email/confirm`).
struct LinkTokenRequest: StrictDecodable {
    let token: String
    enum CodingKeys: String, CodingKey, CaseIterable { case token }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `POST /v1/email/verification {email?}`.
struct VerificationMailRequest: StrictDecodable {
    let email: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case email }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// The answer to every request that may send a mail: the same whatever happened.
struct MailAcceptedResponse: Encodable {
    let status = "accepted"
    let detail: String
}

struct EmailVerifiedResponse: Encodable {
    let userID: String
    let emailVerified = true
    enum CodingKeys: String, CodingKey { case userID = "user_id", emailVerified = "email_verified" }
}

struct EmailChangedResponse: Encodable {
    let userID: String
    let email: String
    let emailVerified = true
    enum CodingKeys: String, CodingKey { case userID = "user_id", email, emailVerified = "email_verified" }
}

struct AccountDeletedResponse: Encodable {
    let deleted = true
    let revokedSessions: Int
    enum CodingKeys: String, CodingKey { case deleted, revokedSessions = "revoked_sessions" }
}

extension AuthService {
    func addAccountRoutes(_ routes: AuthRoutes) {
        let user = routes.authenticated(by: self)
        user.get("/v1/me") { _, context in try self.me(context) }
        user.get("/v1/me/export") { _, context in try self.export(context) }
        routes.authenticated(by: self, .recentAuthentication).delete("/v1/me") { _, context in
            try await self.deleteAccount(context)
        }
        routes.authenticated(by: self, .recentAuthentication).post("/v1/email") { request, context in
            try await self.requestEmailChange(request, context: context)
        }
        routes.post("/v1/email/confirm") { request, context in try await self.confirmEmailChange(request, context: context) }
        routes.post("/v1/email/verify") { request, context in try await self.verifyEmail(request, context: context) }
        routes.post("/v1/email/verification") { request, context in try await self.sendVerification(request, context: context) }
        addPasswordResetRoutes(routes)
    }

    /// `GET /v1/me`: the account as its holder sees it.
    func me(_ context: AuthenticatedContext) throws -> Response {
        guard let account = try store.query({ try $0.account(context.principal.userID) }) else { throw AuthError.unknownUser }
        return Self.rawJSON(account.json)
    }

    /// `GET /v1/me/export`: the account and every event of the user's stream, decoded, secrets withheld.
    func export(_ context: AuthenticatedContext) throws -> Response {
        let userID = context.principal.userID
        let vault = PersonalDataVault.installed(on: store)
        guard let json = try store.read({ try AccountExport.json(userID: userID, in: $0, vault: vault) }) else { throw AuthError.unknownUser }
        var response = Self.rawJSON(json)
        response.headers[.contentDisposition] = "attachment; filename=\"authd-export.json\""
        return response
    }

    /// `DELETE /v1/me` (recent authentication, `aal2` with a second factor): every session and family revoked, the
    /// passkeys deleted, `user.deleted`; the session cookie is cleared.
    func deleteAccount(_ context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let revoked = try await store.run(
            DeleteUser(userID: principal.userID, reason: "user", actor: .user(principal.userID), request: requestInfo(context)))
        sessionOrigins.forget(userID: principal.userID)
        var headers = HTTPFields()
        if principal.method == .cookie { headers[.setCookie] = sessionCookie("", maxAge: 0) }
        return try Respond.json(AccountDeletedResponse(revokedSessions: revoked), headers: headers)
    }

    /// `POST /v1/email` (recent authentication): a confirmation link to the new address, a notice to the old one.
    /// 202 whether or not the new address is free (an address that names another account gets no link).
    func requestEmailChange(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let body = try await request.decodeStrict(as: EmailChangeRequest.self, context: context)
        guard let newEmail = Email.normalize(body.newEmail) else {
            throw Problem.invalidField("new_email", reason: "invalid", detail: "field 'new_email' is not a valid email address")
        }
        try await consumeAccountMail(email: newEmail, context: context)
        let link = try newAccountLink(.changeEmail, userID: principal.userID, lifetime: options.configuration.emailVerificationTTL)
        _ = try await store.run(RequestEmailChange(userID: principal.userID, newEmail: newEmail, link: link, request: requestInfo(context)))
        return try Respond.json(
            MailAcceptedResponse(detail: "unless the address is taken, a confirmation link was sent to it; the address changes when it is used"),
            status: .accepted)
    }

    /// `POST /v1/email/confirm {token}` (no session: the link may be opened in another browser).
    func confirmEmailChange(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: LinkTokenRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        guard let hash = OpaqueToken.hash(of: body.token) else { throw Problem.invalidLink }
        switch try await store.run(ConfirmEmailChange(tokenHash: hash, request: requestInfo(context))) {
        case .invalid, .taken:
            throw Problem.invalidLink
        case .changed(let userID):
            guard let email = try store.query({ try $0.user(id: userID)?.email }) else { throw Problem.invalidLink }
            return try Respond.json(EmailChangedResponse(userID: userID, email: email))
        }
    }

    /// `POST /v1/email/verify {token}`.
    func verifyEmail(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: LinkTokenRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        guard let hash = OpaqueToken.hash(of: body.token),
            let userID = try await store.run(VerifyEmail(tokenHash: hash, request: requestInfo(context)))
        else { throw Problem.invalidLink }
        return try Respond.json(EmailVerifiedResponse(userID: userID))
    }

    /// `POST /v1/email/verification`: with `{email}` (no session needed) 202 and the same body for every address; without
    /// it, for the authenticated caller. Rate-limited per client and per address.
    func sendVerification(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: VerificationMailRequest.self, context: context)
        let userID: String?
        let email: String
        if let raw = body.email {
            email = try Self.normalizedEmail(raw)
            try await consumeAccountMail(email: email, context: context)
            userID = try store.query { try $0.user(email: email)?.id }
        } else {
            let principal = try await authenticate(request, context: context)
            guard let current = try store.query({ try $0.user(id: principal.userID)?.email }) else {
                throw AuthError.unknownUser
            }
            email = current
            try await consumeAccountMail(email: email, context: context)
            userID = principal.userID
        }
        // The same work (a token sealed) and a durable commit whether or not the address names an unverified account.
        let link = try newAccountLink(.verifyEmail, userID: userID ?? "unknown", lifetime: options.configuration.emailVerificationTTL)
        _ = try await store.run(SendEmailVerification(userID: userID, link: link, request: requestInfo(context)))
        return try Respond.json(
            MailAcceptedResponse(detail: "if the address belongs to an account that is not verified yet, a verification link was sent to it"),
            status: .accepted)
    }

    /// A JSON body made elsewhere, with `Cache-Control: no-store` and `Pragma: no-cache`.
    static func rawJSON(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        JSONWriter.response(Array(json.utf8), status: status)
    }
}
