import AuthCore
import AuthHTTP
import Hummingbird
import StrictJSON

/// `POST /v1/admin/bootstrap {email, role, reason}`.
struct BootstrapRequest: StrictDecodable {
    let email: String
    let role: String
    let reason: String
    enum CodingKeys: String, CodingKey, CaseIterable { case email, role, reason }
    static let allowedFields = fields(of: CodingKeys.self)
}

extension AuthService {
    /// The admin key's bootstrap: grants the first administrator a role (`granted_by: admin-key`) while no user holds
    /// `admin:roles:write` (409 `bootstrap-closed` afterwards). It needs `Authorization: Bearer <admin key>` (401
    /// otherwise, and always without a configured key).
    func addBootstrapRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/admin/bootstrap") { request, context in
            try self.requireAdmin(request)
            let body = try await request.decodeStrict(as: BootstrapRequest.self, context: context)
            let email = try Self.normalizedEmail(body.email)
            let role = try Self.checkedRole(body.role)
            let reason = try Self.checkedReason(body.reason, required: true) ?? ""
            guard let userID = try self.store.query({ try $0.user(email: email)?.id }) else { throw AuthzError.userNotFound }
            try await self.runAuthz(
                BootstrapAdministrator(userID: userID, role: role, reason: reason, request: self.requestInfo(context)))
            return Respond.noContent()
        }
    }
}
