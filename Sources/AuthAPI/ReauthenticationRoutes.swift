import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird

/// `POST /v1/session/reauthenticate {password}`.
struct ReauthenticateRequest: StrictDecodable {
    let password: String
    enum CodingKeys: String, CodingKey, CaseIterable { case password }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct ReauthenticatedResponse: Encodable {
    let aal: String
    let reauthenticatedAt: String
    let reauthExpiresAt: String
    enum CodingKeys: String, CodingKey {
        case aal, reauthenticatedAt = "reauthenticated_at", reauthExpiresAt = "reauth_expires_at"
    }
}

extension AuthService {
    func addReauthenticationRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/session/reauthenticate") { request, context in
            try await self.reauthenticateWithPassword(request, context: context)
        }
    }

    /// Refuses a sensitive change (a new passkey, TOTP enrolment or removal, new backup codes, deleting a passkey)
    /// unless the caller's session proved its holder recently: a login, step-up or re-authentication less than
    /// `--reauth-window` ago (else 403 `reauthentication-required`). A user with a second factor also needs fresh
    /// `aal2` (403 `step-up-required`, see ``requireStepUp(_:)``).
    func requireRecentAuthentication(_ principal: Principal) throws {
        try requireStepUp(principal)
        let window = Int64(options.configuration.reauthWindow)
        let now = clock.now()
        guard let at = try store.query({ try $0.lastAuthenticated(sessionID: principal.sessionID) }), now < at.adding(seconds: window) else {
            throw Problem.reauthenticationRequired(window: window)
        }
    }

    /// Re-authentication with the account's password: `session.reauthenticated`. A wrong password counts against the
    /// account's login bucket, is recorded as `login.failed` (`bad_reauth_password`) and answers 403 `wrong-password`.
    func reauthenticateWithPassword(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let principal = try await authenticate(request, context: context)
        let body = try await request.decodeStrict(as: ReauthenticateRequest.self, context: context)
        try Self.checkPresentedPassword(body.password, field: "password")
        guard let user = try store.query({ try $0.user(id: principal.userID) }) else { throw AuthError.unknownUser }
        try await consume(loginPerAccount, key: "acct:" + user.record.email, scope: "account", userID: user.id, context: context)
        let storedHash = user.record.passwordHash, password = body.password
        let matches = try await hashing { Argon2id.verify(encoded: storedHash, password: password) }
        let info = requestInfo(context)
        guard matches else {
            try await store.run(
                RecordLoginFailure(userID: user.id, subject: keyedSubject(user.record.email), reason: "bad_reauth_password", request: info))
            throw Problem.wrongPassword
        }
        let result = try await store.run(
            ReauthenticateSession(sessionID: principal.sessionID, userID: principal.userID, method: "password", request: info))
        return try reauthenticatedResponse(aal: result.aal)
    }

    /// The answer to a re-authentication: the level and how long the re-authentication counts.
    func reauthenticatedResponse(aal: String, headers: HTTPFields = [:]) throws -> Response {
        let now = clock.now()
        return try Respond.json(
            ReauthenticatedResponse(
                aal: aal, reauthenticatedAt: now.rfc3339,
                reauthExpiresAt: now.adding(seconds: Int64(options.configuration.reauthWindow)).rfc3339),
            headers: headers)
    }
}
