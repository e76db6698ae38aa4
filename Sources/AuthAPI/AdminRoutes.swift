import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird
import StrictJSON
import Foundation

/// `{reason?}` of lock and unlock.
struct AdminReasonRequest: StrictDecodable {
    let reason: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case reason }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `{expires_at?, reason}` of a grant.
struct AdminGrantRequest: StrictDecodable {
    let expiresAt: String?
    let reason: String
    enum CodingKeys: String, CodingKey, CaseIterable { case expiresAt = "expires_at", reason }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `{permissions}` of a role.
struct AdminRoleRequest: StrictDecodable {
    let permissions: [String]
    enum CodingKeys: String, CodingKey, CaseIterable { case permissions }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// A user as the admin API lists it.
struct AdminUserSummary: Encodable {
    let id: String
    let email: String
    let createdAt: String
    let locked: Bool
    enum CodingKeys: String, CodingKey { case id, email, createdAt = "created_at", locked }
}

/// `GET /v1/admin/users`.
struct AdminUserList: Encodable {
    let users: [AdminUserSummary]
    let nextCursor: String?
    enum CodingKeys: String, CodingKey { case users, nextCursor = "next_cursor" }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(users, forKey: .users)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}

/// A grant as the admin API shows it.
struct AdminGrantView: Encodable {
    let role: String
    let grantedAt: String
    let expiresAt: String?
    let grantedBy: String
    let reason: String
    let active: Bool
    enum CodingKeys: String, CodingKey {
        case role, grantedAt = "granted_at", expiresAt = "expires_at", grantedBy = "granted_by", reason, active
    }
}

/// `GET /v1/admin/users/{id}`.
struct AdminUserDetail: Encodable {
    let id: String
    let email: String
    let createdAt: String
    let locked: Bool
    let lockReason: String?
    let mfaEnabled: Bool
    let activeSessions: Int
    let roles: [AdminGrantView]
    let attributes: [String: AttributeJSON]
    enum CodingKeys: String, CodingKey {
        case id, email, createdAt = "created_at", locked, lockReason = "lock_reason", mfaEnabled = "mfa_enabled",
            activeSessions = "active_sessions", roles, attributes
    }
}

/// An attribute value as JSON (a string, number or boolean).
struct AttributeJSON: Encodable {
    let value: AttributeValue

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .string(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .list(let values): try container.encode(values.map(AttributeJSON.init))
        }
    }
}

/// `GET /v1/admin/roles/{role}`.
struct AdminRoleView: Encodable {
    let role: String
    let permissions: [String]
    /// `admin_api` (defined by event) or `policy` (the policy file's).
    let source: String
}

/// `POST /v1/admin/users/{id}/lock`.
struct AdminLockResponse: Encodable {
    let locked: Bool
    let sessionsRevoked: Int
    enum CodingKeys: String, CodingKey { case locked, sessionsRevoked = "sessions_revoked" }
}

/// `DELETE /v1/admin/users/{id}/sessions`.
struct AdminRevokedResponse: Encodable {
    let sessionsRevoked: Int
    enum CodingKeys: String, CodingKey { case sessionsRevoked = "sessions_revoked" }
}

extension AuthService {
    /// The admin API: each endpoint needs its permission (403 `forbidden`) and, when the administrator has a second
    /// factor, an `aal2` session (403 `step-up-required`).
    func addAdminRoutes(_ routes: AuthRoutes) {
        let read = routes.authenticated(by: self, .permission("admin:users:read"), .aal2IfEnrolled)
        read.get("/v1/admin/users") { request, context in try self.listUsers(request) }
        read.get("/v1/admin/users/{id}") { request, context in try self.userDetail(try Self.userParameter(context)) }

        let write = routes.authenticated(by: self, .permission("admin:users:write"), .aal2IfEnrolled)
        write.post("/v1/admin/users/{id}/lock") { request, context in
            let userID = try Self.userParameter(context)
            let body = try await Self.optionalBody(request, context: context, as: AdminReasonRequest.self)
            let reason = try Self.checkedReason(body?.reason, required: false)
            let outcome = try await self.store.run(
                LockUser(userID: userID, actorID: context.principal.userID, reason: reason, request: self.requestInfo(context)))
            switch outcome {
            case .locked(let count): return try Respond.json(AdminLockResponse(locked: true, sessionsRevoked: count))
            case .alreadyLocked: return try Respond.json(AdminLockResponse(locked: true, sessionsRevoked: 0))
            }
        }
        write.post("/v1/admin/users/{id}/unlock") { request, context in
            let userID = try Self.userParameter(context)
            let body = try await Self.optionalBody(request, context: context, as: AdminReasonRequest.self)
            let reason = try Self.checkedReason(body?.reason, required: false)
            try await self.store.run(
                UnlockUser(userID: userID, actorID: context.principal.userID, reason: reason, request: self.requestInfo(context)))
            return Respond.noContent()
        }
        write.put("/v1/admin/users/{id}/attributes") { request, context in
            let userID = try Self.userParameter(context)
            let attributes: [String: AttributeValue]
            switch AttributeObject.parse(try await Self.jsonObject(request, context: context)) {
            case .success(let parsed): attributes = parsed
            case .failure(let error): throw Problem.invalidBody(error.description, errors: [(error.member ?? "body", "invalid")])
            }
            try await self.runAuthz(
                SetUserAttributes(userID: userID, attributes: attributes, actorID: context.principal.userID, request: self.requestInfo(context)))
            return Respond.noContent()
        }

        let sessions = routes.authenticated(by: self, .permission("admin:sessions:revoke"), .aal2IfEnrolled)
        sessions.delete("/v1/admin/users/{id}/sessions") { request, context in
            let userID = try Self.userParameter(context)
            guard try self.store.query({ try $0.user(id: userID) }) != nil else { throw AuthzError.userNotFound }
            let count = try await self.store.run(
                RevokeSessions(
                    userID: userID, keep: nil, reason: "admin_revoked", request: self.requestInfo(context),
                    actor: .user(context.principal.userID)))
            return try Respond.json(AdminRevokedResponse(sessionsRevoked: count))
        }

        let roles = routes.authenticated(by: self, .permission("admin:roles:write"), .aal2IfEnrolled)
        roles.put("/v1/admin/users/{id}/roles/{role}") { request, context in
            let userID = try Self.userParameter(context)
            let role = try Self.roleParameter(context)
            let body = try await request.decodeStrict(as: AdminGrantRequest.self, context: context)
            let reason = try Self.checkedReason(body.reason, required: true) ?? ""
            var expiresAt: Timestamp?
            if let text = body.expiresAt {
                guard let time = Timestamp(rfc3339: text), time > self.clock.now() else {
                    throw Problem.invalidField("expires_at", reason: "invalid", detail: "field 'expires_at' must be an RFC 3339 time in the future")
                }
                expiresAt = time
            }
            try await self.runAuthz(
                GrantRole(
                    userID: userID, role: role, expiresAt: expiresAt, reason: reason, actorID: context.principal.userID,
                    request: self.requestInfo(context)))
            return Respond.noContent()
        }
        roles.delete("/v1/admin/users/{id}/roles/{role}") { request, context in
            let userID = try Self.userParameter(context)
            let role = try Self.roleParameter(context)
            let body = try await Self.optionalBody(request, context: context, as: AdminReasonRequest.self)
            let reason = try Self.checkedReason(body?.reason, required: false) ?? ""
            try await self.runAuthz(
                RevokeRole(userID: userID, role: role, reason: reason, actorID: context.principal.userID, request: self.requestInfo(context)))
            return Respond.noContent()
        }
        roles.get("/v1/admin/roles/{role}") { request, context in
            let role = try Self.roleParameter(context)
            let state = self.authz.snapshot.state
            if let permissions = state.definedRoles[role] {
                return try Respond.json(AdminRoleView(role: role, permissions: permissions, source: "admin_api"))
            }
            guard let permissions = state.policy?.roles[role] else { throw AuthzError.roleNotFound }
            return try Respond.json(AdminRoleView(role: role, permissions: permissions, source: "policy"))
        }
        roles.put("/v1/admin/roles/{role}") { request, context in
            let role = try Self.roleParameter(context)
            let body = try await request.decodeStrict(as: AdminRoleRequest.self, context: context)
            guard body.permissions.count <= 256 else {
                throw Problem.invalidField("permissions", reason: "too_long", detail: "field 'permissions' holds at most 256 permissions")
            }
            let outcome = try await self.runAuthz(
                DefineRole(role: role, permissions: body.permissions, actorID: context.principal.userID, request: self.requestInfo(context)))
            let view = AdminRoleView(role: role, permissions: body.permissions, source: "admin_api")
            return try Respond.json(view, status: outcome == .defined ? .created : .ok)
        }
        roles.delete("/v1/admin/roles/{role}") { request, context in
            let role = try Self.roleParameter(context)
            try await self.runAuthz(DeleteRole(role: role, actorID: context.principal.userID, request: self.requestInfo(context)))
            return Respond.noContent()
        }
    }

    /// `GET /v1/admin/users?query=&limit=&cursor=`: users in email order, `limit` 1…100 (default 50), `cursor` the
    /// `next_cursor` of the previous page.
    func listUsers(_ request: Request) throws -> Response {
        let parameters = request.uri.queryParameters
        let query = parameters["query"].map(String.init) ?? ""
        guard query.utf8.count <= 256 else { throw Problem.invalidField("query", reason: "too_long", detail: "query is at most 256 bytes") }
        var limit = 50
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw Problem.invalidField("limit", reason: "invalid", detail: "limit must be an integer from 1 to 100")
            }
            limit = value
        }
        var cursor: String?
        if let text = parameters["cursor"] {
            guard let bytes = Encoding.fromBase64URL(String(text)), bytes.count <= 512, let email = String(validating: bytes, as: UTF8.self) else {
                throw Problem.invalidField("cursor", reason: "invalid", detail: "cursor is not one this API returned")
            }
            cursor = email
        }
        let (users, next) = try store.query { queries in
            let page = try queries.users(matching: query, after: cursor, limit: limit)
            let summaries = try page.users.map { user in
                AdminUserSummary(
                    id: user.id, email: user.email, createdAt: user.record.createdAt.rfc3339, locked: try queries.lock(ofUser: user.id) != nil)
            }
            return (summaries, page.next)
        }
        return try Respond.json(AdminUserList(users: users, nextCursor: next.map { Encoding.base64URL(Array($0.utf8)) }))
    }

    /// `GET /v1/admin/users/{id}`.
    func userDetail(_ userID: String) throws -> Response {
        let now = clock.now()
        let snapshot = authz.snapshot
        let detail = try store.query { queries -> AdminUserDetail? in
            guard let user = try queries.user(id: userID) else { return nil }
            let lock = try queries.lock(ofUser: userID)
            let grants = (snapshot.state.grants[userID] ?? []).map { grant in
                AdminGrantView(
                    role: grant.role, grantedAt: grant.record.grantedAt.rfc3339, expiresAt: grant.record.expiresAt?.rfc3339,
                    grantedBy: grant.record.grantedBy, reason: grant.record.reason, active: grant.record.isActive(at: now))
            }
            let attributes = (snapshot.state.attributes[userID] ?? [:]).mapValues(AttributeJSON.init)
            return AdminUserDetail(
                id: userID, email: user.email, createdAt: user.record.createdAt.rfc3339, locked: lock != nil, lockReason: lock?.reason,
                mfaEnabled: try queries.mfa(ofUser: userID)?.isEnabled == true,
                activeSessions: try queries.sessions(ofUser: userID, at: now).count, roles: grants, attributes: attributes)
        }
        guard let detail else { throw AuthzError.userNotFound }
        return try Respond.json(detail)
    }

    /// The `{id}` path parameter, a well-formed user id (404 otherwise).
    static func userParameter(_ context: AuthenticatedContext) throws -> String {
        let id = context.parameters.get("id") ?? ""
        guard Identifier.isWellFormed(id, prefix: "usr_") else { throw AuthzError.userNotFound }
        return id
    }

    /// The `{role}` path parameter, a well-formed role name (400 otherwise).
    static func roleParameter(_ context: AuthenticatedContext) throws -> String {
        try checkedRole(context.parameters.get("role") ?? "")
    }

    /// `role` if it is a valid role name, else 400 naming the field `role`.
    static func checkedRole(_ role: String) throws -> String {
        guard PermissionSet.isValidRoleName(role) else {
            throw Problem.invalidField("role", reason: "invalid", detail: "role names are 1 to 64 of [A-Za-z0-9_.-]")
        }
        return role
    }

    /// A reason of at most 512 bytes; required ones must not be empty.
    static func checkedReason(_ reason: String?, required: Bool) throws -> String? {
        if required, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw Problem.invalidField("reason", reason: "missing", detail: "field 'reason' must say why")
        }
        guard (reason?.utf8.count ?? 0) <= 512 else {
            throw Problem.invalidField("reason", reason: "too_long", detail: "field 'reason' must have at most 512 bytes")
        }
        return reason
    }

    /// A JSON body if one was sent (a request without a body, or with an empty one, has none).
    static func optionalBody<T: StrictDecodable>(_ request: Request, context: some RequestContext, as type: T.Type) async throws -> T? {
        if request.headers[.contentType] == nil, request.headers[.contentLength] == nil || request.headers[.contentLength] == "0" {
            return nil
        }
        return try await request.decodeStrict(as: T.self, context: context)
    }
}
