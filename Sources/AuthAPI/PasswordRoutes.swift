import AuthCore
import AuthCrypto
import AuthHTTP
import Hummingbird

/// `POST /v1/password {current_password, new_password}`.
struct ChangePasswordRequest: StrictDecodable {
    let currentPassword: String
    let newPassword: String
    enum CodingKeys: String, CodingKey, CaseIterable { case currentPassword = "current_password", newPassword = "new_password" }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct ChangePasswordResponse: Encodable {
    let revokedSessions: Int
    enum CodingKeys: String, CodingKey { case revokedSessions = "revoked_sessions" }
}

extension AuthService {
    func addPasswordRoutes(_ routes: AuthRoutes) {
        routes.authenticated(by: self, .stepUp).post("/v1/password") { request, context in
            try await self.changePassword(request, context: context)
        }
    }

    /// With a second factor enabled, needs fresh `aal2` (step-up). Verifies the current password and hashes the new one (one pool job), then `password.changed` and the
    /// revocation of every other session, in one transaction. Wrong current passwords count against the account's
    /// login bucket and are recorded as `login.failed`.
    func changePassword(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let body = try await request.decodeStrict(as: ChangePasswordRequest.self, context: context)
        try Self.checkPresentedPassword(body.currentPassword, field: "current_password")
        try Self.checkNewPassword(body.newPassword, field: "new_password")
        guard let user = try store.query({ try $0.user(id: principal.userID) }) else { throw AuthError.unknownUser }
        let accountKey = "acct:" + user.email
        try await consume(loginPerAccount, key: accountKey, scope: "account", userID: user.id, context: context)

        let storedHash = user.record.passwordHash
        let current = body.currentPassword, new = body.newPassword
        let parameters = options.argon2
        let newHash = try await hashing { () -> String? in
            guard Argon2id.verify(encoded: storedHash, password: current) else { return nil }
            return try Argon2id.hash(password: new, parameters: parameters)
        }
        let info = requestInfo(context)
        guard let newHash else {
            try await store.run(
                RecordLoginFailure(userID: user.id, subject: keyedSubject(user.email), reason: "bad_current_password", request: info))
            throw Problem.wrongPassword
        }
        let revoked = try await store.run(
            ChangePassword(userID: user.id, expectedHash: storedHash, newHash: newHash, keepSessionID: principal.sessionID, request: info))
        return try Respond.json(ChangePasswordResponse(revokedSessions: revoked))
    }
}
