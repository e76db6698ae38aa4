import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird
import WebAuthn

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
    /// When the session's level rose (a user-verifying passkey): its new token (session-token callers) or a new
    /// access token (access-token callers); cookie callers get `Set-Cookie`.
    var sessionToken: String?
    var accessToken: String?
    var expiresIn: Int64?
    enum CodingKeys: String, CodingKey {
        case aal, reauthenticatedAt = "reauthenticated_at", reauthExpiresAt = "reauth_expires_at", sessionToken = "session_token"
        case accessToken = "access_token", expiresIn = "expires_in"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(aal, forKey: .aal)
        try container.encode(reauthenticatedAt, forKey: .reauthenticatedAt)
        try container.encode(reauthExpiresAt, forKey: .reauthExpiresAt)
        try container.encodeIfPresent(sessionToken, forKey: .sessionToken)
        try container.encodeIfPresent(accessToken, forKey: .accessToken)
        try container.encodeIfPresent(expiresIn, forKey: .expiresIn)
    }
}

extension AuthService {
    func addReauthenticationRoutes(_ routes: AuthRoutes) {
        let user = routes.authenticated(by: self)
        user.post("/v1/session/reauthenticate") { request, context in
            try await self.reauthenticateWithPassword(request, context: context)
        }
        user.post("/v1/session/reauthenticate/passkey/options") { request, context in
            try await self.reauthenticationOptions(request, context: context)
        }
        user.post("/v1/session/reauthenticate/passkey/verify") { request, context in
            try await self.reauthenticateWithPasskey(request, context: context)
        }
    }

    /// The ``AuthRequirement/recentAuthentication`` check. Refuses a sensitive change (a new passkey, TOTP enrolment or removal, new backup codes, deleting a passkey)
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
    func reauthenticateWithPassword(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let body = try await request.decodeStrict(as: ReauthenticateRequest.self, context: context)
        try Self.checkPresentedPassword(body.password, field: "password")
        guard let user = try store.query({ try $0.user(id: principal.userID) }) else { throw AuthError.unknownUser }
        try await consume(loginPerAccount, key: "acct:" + user.email, scope: "account", userID: user.id, context: context)
        let storedHash = user.record.passwordHash, password = body.password
        let matches = try await hashing { Argon2id.verify(encoded: storedHash, password: password) }
        let info = requestInfo(context)
        guard matches else {
            try await store.run(
                RecordLoginFailure(userID: user.id, subject: keyedSubject(user.email), reason: "bad_reauth_password", request: info))
            throw Problem.wrongPassword
        }
        let result = try await store.run(
            ReauthenticateSession(sessionID: principal.sessionID, userID: principal.userID, method: "password", request: info))
        return try reauthenticatedResponse(aal: result.aal)
    }

    /// Request options for re-authenticating with a passkey: the caller's passkeys as `allowCredentials`, a challenge
    /// bound to the caller.
    func reauthenticationOptions(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let passkeys = try store.query { try $0.passkeys(ofUser: principal.userID) }
        guard !passkeys.isEmpty else { throw AuthError.passkeyNotFound }
        let allow = passkeys.compactMap { passkey in
            Encoding.fromBase64URL(passkey.id).map { PublicKeyCredentialDescriptorJSON(id: $0, transports: passkey.record.transports) }
        }
        let challenge = try await challenges.issue(.reauthentication, userID: principal.userID)
        let options = try PublicKeyCredentialRequestOptions(
            rp: relyingParty, challenge: challenge, allowCredentials: allow, timeout: Int(ChallengeStore.lifetime) * 1000)
        return try Respond.json(options)
    }

    /// Re-authentication with a passkey assertion (`toJSON()` of the credential) on a challenge from
    /// ``reauthenticationOptions(_:context:)``: `session.reauthenticated` (method `passkey`). A user-verifying
    /// assertion raises an `aal1` session to `aal2`, with a new session token handed out as after a step-up.
    func reauthenticateWithPasskey(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let bytes = try await request.jsonBodyBytes(context: context)
        let (passkey, credentialID, verified) = try await verifyAssertion(bytes, purpose: .reauthentication, context: context)
        guard passkey.record.userID == principal.userID else {
            throw Problem.webauthn(code: "unknown_credential", detail: "the credential is not one of the account's passkeys")
        }
        let newToken = OpaqueToken.generate()
        let reauthentication = ReauthenticateSession(
            sessionID: principal.sessionID, userID: principal.userID, method: "passkey",
            raisesToAAL2WithTokenHash: verified.userVerified ? newToken.hash : nil, request: requestInfo(context))
        switch try await store.run(
            ReauthenticateWithPasskey(
                credentialID: credentialID, newCount: Int64(verified.newSignCount),
                counterPolicy: options.configuration.webauthnCounterPolicy.rawValue, reauthentication: reauthentication))
        {
        case .rejected(let old, let new):
            throw WebAuthnError.counterRegressed(old: UInt32(clamping: old), new: UInt32(clamping: new)).problem
        case .reauthenticated(let result):
            guard result.tokenRotated else { return try reauthenticatedResponse(aal: result.aal) }
            var sessionToken: String?, accessToken: String?, expiresIn: Int64?
            let headers = try newSessionCredentials(
                principal, token: newToken, aal: result.aal, now: clock.now(), into: &sessionToken, &accessToken, &expiresIn)
            return try reauthenticatedResponse(
                aal: result.aal, headers: headers, sessionToken: sessionToken, accessToken: accessToken, expiresIn: expiresIn)
        }
    }

    /// The answer to a re-authentication: the level and how long the re-authentication counts.
    func reauthenticatedResponse(
        aal: String, headers: HTTPFields = [:], sessionToken: String? = nil, accessToken: String? = nil, expiresIn: Int64? = nil
    ) throws -> Response {
        let now = clock.now()
        return try Respond.json(
            ReauthenticatedResponse(
                aal: aal, reauthenticatedAt: now.rfc3339,
                reauthExpiresAt: now.adding(seconds: Int64(options.configuration.reauthWindow)).rfc3339, sessionToken: sessionToken,
                accessToken: accessToken, expiresIn: expiresIn),
            headers: headers)
    }
}
