import AuthCore
import AuthHTTP
import EventLog
import Hummingbird

struct IdentityListResponse: Encodable {
    struct Entry: Encodable {
        let id: String
        let provider: String
        let issuer: String
        let subject: String
        let email: String?
        let emailVerified: Bool
        let linkedAt: String
        enum CodingKeys: String, CodingKey {
            case id, provider, issuer, subject, email, emailVerified = "email_verified", linkedAt = "linked_at"
        }
    }
    let identities: [Entry]
}

extension AuthService {
    func addIdentityRoutes(_ routes: AuthRoutes) {
        routes.authenticated(by: self).get("/v1/identities") { _, context in
            let userID = context.principal.userID
            let identities = try self.store.query { try $0.identities(ofUser: userID) }
            return try Respond.json(
                IdentityListResponse(
                    identities: identities.map {
                        .init(
                            id: $0.id, provider: $0.record.provider, issuer: $0.record.issuer, subject: $0.record.subject, email: $0.record.email,
                            emailVerified: $0.record.emailVerified, linkedAt: $0.record.linkedAt.rfc3339)
                    }))
        }
        routes.authenticated(by: self, .recentAuthentication).delete("/v1/identities/{id}") { _, context in
            guard let id = context.parameters.get("id"), id.utf8.count <= 64 else { throw Problem.notFound("no such identity") }
            let command = UnlinkIdentity(userID: context.principal.userID, identityID: id, request: self.requestInfo(context))
            switch try await self.store.run(command) {
            case .unlinked: return Respond.noContent()
            case .notFound: throw Problem.notFound("no such identity")
            case .lastLoginMethod:
                throw Problem(
                    status: .conflict, type: Problem.AuthTypes.conflict, title: "Last way to log in",
                    detail: "this identity is the account's last way to log in; add a passkey or another identity first")
            }
        }
    }
}
