import AuthCore
import AuthCrypto
import AuthHTTP
import Hummingbird

/// `POST /v1/users {email, password}` → 201 `{user_id}`.
struct RegisterRequest: StrictDecodable {
    let email: String
    let password: String
    enum CodingKeys: String, CodingKey, CaseIterable { case email, password }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct RegisterResponse: Encodable {
    let userID: String
    enum CodingKeys: String, CodingKey { case userID = "user_id" }
}

extension AuthService {
    func addUserRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/users") { request, context in
            try await self.register(request, context: context)
        }
    }

    /// Registration: rate-limited per IP like login; email normalised; password 8...128 characters; the hash is
    /// computed in the pool; a taken email is 409 (checked again inside the transaction). A verification link is mailed
    /// (`email.verification_sent`, in the registration's transaction).
    func register(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: RegisterRequest.self, context: context)
        let email = try Self.normalizedEmail(body.email)
        try Self.checkNewPassword(body.password, field: "password")
        try await consume(registerPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        if try store.query({ try $0.user(email: email) }) != nil { throw AuthError.emailTaken }
        let password = body.password
        let parameters = options.argon2
        let hash = try await hashing { try Argon2id.hash(password: password, parameters: parameters) }
        let newUserID = Identifier.user()
        let verification = try newAccountLink(.verifyEmail, userID: newUserID, lifetime: options.configuration.emailVerificationTTL)
        let userID = try await store.run(
            RegisterUser(userID: newUserID, email: email, passwordHash: hash, verification: verification, request: requestInfo(context)))
        return try Respond.json(RegisterResponse(userID: userID), status: .created)
    }
}
