import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird

/// `POST /v1/password/reset/request {email}`.
struct PasswordResetRequest: StrictDecodable {
    let email: String
    enum CodingKeys: String, CodingKey, CaseIterable { case email }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `POST /v1/password/reset/complete {token, new_password, code?, backup_code?}`.
struct PasswordResetCompleteRequest: StrictDecodable {
    let token: String
    let newPassword: String
    let code: String?
    let backupCode: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case token, newPassword = "new_password", code, backupCode = "backup_code" }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct PasswordResetCompletedResponse: Encodable {
    let userID: String
    let revokedSessions: Int
    enum CodingKeys: String, CodingKey { case userID = "user_id", revokedSessions = "revoked_sessions" }
}

extension AuthService {
    func addPasswordResetRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/password/reset/request") { request, context in try await self.requestPasswordReset(request, context: context) }
        routes.post("/v1/password/reset/complete") { request, context in try await self.completePasswordReset(request, context: context) }
    }

    /// 202 with the same body for every address (unknown, known, locked): the same limiter buckets, the same work (a
    /// token made and sealed) and a durable commit either way; only for an account does the commit hold
    /// `password.reset_requested`, whose link the notifier mails.
    func requestPasswordReset(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: PasswordResetRequest.self, context: context)
        let email = try Self.normalizedEmail(body.email)
        try await consumeAccountMail(email: email, context: context)
        let userID = try store.query { try $0.user(email: email)?.id }
        let link = try newAccountLink(.resetPassword, userID: userID ?? "unknown", lifetime: options.configuration.passwordResetTTL)
        _ = try await store.run(RequestPasswordReset(userID: userID, link: link, request: requestInfo(context)))
        return try Respond.json(
            MailAcceptedResponse(detail: "if the address belongs to an account, a password reset link was sent to it"), status: .accepted)
    }

    /// Sets a new password with a reset link (and the second factor, if the account has one). Refusals (password
    /// policy, missing or wrong factor) keep the link for another try, five of them use it up. On success every session
    /// and refresh family of the user is revoked and a notice goes out.
    func completePasswordReset(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: PasswordResetCompleteRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        guard let hash = OpaqueToken.hash(of: body.token),
            let link = try store.query({ try $0.accountLink(hash, for: .resetPassword, at: clock.now()) })
        else { throw Problem.invalidLink }
        let info = requestInfo(context)
        if body.code != nil && body.backupCode != nil { throw Problem.invalidBody("give at most one of 'code' (TOTP) and 'backup_code'") }
        let attempt = try (body.code != nil || body.backupCode != nil)
            ? factorAttempt(userID: link.userID, code: body.code, backupCode: body.backupCode) : nil
        if attempt != nil { try await consumeMFAAttempt(userID: link.userID, context: context) }
        var policyProblem: Problem?
        do {
            try Self.checkNewPassword(body.newPassword, field: "new_password")
        } catch {
            policyProblem = error
        }
        var newHash: String?
        if policyProblem == nil {
            let password = body.newPassword
            let parameters = options.argon2
            newHash = try await hashing { try Argon2id.hash(password: password, parameters: parameters) }
        }
        switch try await store.run(CompletePasswordReset(tokenHash: hash, newPasswordHash: newHash, attempt: attempt, request: info)) {
        case .invalid:
            throw Problem.invalidLink
        case .passwordRefused:
            throw policyProblem ?? Problem.invalidLink
        case .mfaRequired:
            throw Problem.mfaRequired
        case .factorRefused:
            throw Problem.invalidCode(status: .forbidden)
        case .locked(let until):
            throw Problem.mfaLocked(until: until, now: clock.now())
        case .completed(let userID, let revoked):
            return try Respond.json(PasswordResetCompletedResponse(userID: userID, revokedSessions: revoked))
        }
    }
}
