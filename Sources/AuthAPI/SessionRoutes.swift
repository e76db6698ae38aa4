import AuthCore
import AuthHTTP
import EventLog
import Hummingbird

/// A session as the API shows it.
struct SessionView: Encodable {
    let id: String
    let userID: String
    let aal: String
    let mode: String
    let createdAt: String
    let lastSeenAt: String
    let expiresAt: String
    let idleExpiresAt: String
    let ip: String?
    let userAgent: String?
    let current: Bool
    var authenticatedBy: String?

    enum CodingKeys: String, CodingKey {
        case id, userID = "user_id", aal, mode, createdAt = "created_at", lastSeenAt = "last_seen_at", expiresAt = "expires_at"
        case idleExpiresAt = "idle_expires_at", ip, userAgent = "user_agent", current, authenticatedBy = "authenticated_by"
    }

    /// The view of `session`, whose client IP and user agent `origin` holds opened (``Queries/origin(of:)``).
    init(_ session: Queries.ActiveSession, origin: (clientIP: String?, userAgent: String?), current: Bool, authenticatedBy: String? = nil) {
        let record = session.record
        id = session.id
        userID = record.userID
        aal = record.aal
        mode = record.mode
        createdAt = RFC3339.format(record.createdAt)
        lastSeenAt = RFC3339.format(record.lastSeenAt)
        expiresAt = RFC3339.format(record.expiresAt)
        idleExpiresAt = RFC3339.format(min(record.idleExpiresAt, record.expiresAt))
        ip = origin.clientIP
        userAgent = origin.userAgent
        self.current = current
        self.authenticatedBy = authenticatedBy
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(userID, forKey: .userID)
        try c.encode(aal, forKey: .aal)
        try c.encode(mode, forKey: .mode)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastSeenAt, forKey: .lastSeenAt)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encode(idleExpiresAt, forKey: .idleExpiresAt)
        try c.encode(ip, forKey: .ip)
        try c.encode(userAgent, forKey: .userAgent)
        try c.encode(current, forKey: .current)
        try c.encodeIfPresent(authenticatedBy, forKey: .authenticatedBy)
    }
}

struct SessionListResponse: Encodable {
    let sessions: [SessionView]
}

struct RevokedCountResponse: Encodable {
    let revoked: Int
}

extension AuthService {
    /// The body of `GET /v1/session`, written by hand (see ``JSONWriter``). The session's client IP and user agent
    /// come opened from ``sessionOrigins`` when it has them (no read snapshot, no AES-GCM), else they are opened in a
    /// read snapshot and kept there.
    func currentSessionBody(_ principal: Principal) throws -> JSONWriter {
        try currentSessionBody(principal, origin: origin(of: principal.session))
    }

    /// The opened client IP and user agent of `session`, which the request has just authenticated.
    func origin(of session: Queries.ActiveSession) throws -> (clientIP: String?, userAgent: String?) {
        let now = clock.now()
        if let cached = sessionOrigins.origin(of: session, at: now) { return cached }
        let generation = sessionOrigins.generation
        let opened = try store.query { try $0.origin(of: session.record) }
        sessionOrigins.insert(session, opened: opened, at: now, generation: generation)
        return opened
    }

    /// The body of `GET /v1/session` for `principal` whose session's fields `origin` holds opened.
    func currentSessionBody(_ principal: Principal, origin: (clientIP: String?, userAgent: String?)) -> JSONWriter {
        let view = SessionView(principal.session, origin: origin, current: true, authenticatedBy: principal.method.rawValue)
        var body = JSONWriter()
        body.add("aal", principal.session.record.aal)
        body.add("session", object: view.json)
        body.add("session_id", principal.sessionID)
        body.add("user_id", principal.userID)
        return body
    }

    /// The bytes of `GET /v1/session` for `principal` (for benchmarks).
    public func currentSessionJSON(_ principal: Principal) throws -> [UInt8] { try currentSessionBody(principal).finished }

    func addSessionRoutes(_ routes: AuthRoutes) {
        let user = routes.authenticated(by: self)
        user.get("/v1/session") { request, context in
            let principal = context.principal
            return try self.currentSessionBody(principal).response()
        }
        user.post("/v1/logout") { request, context in
            let principal = context.principal
            do {
                try await self.store.run(
                    RevokeSession(
                        sessionID: principal.sessionID, ownerID: principal.userID, reason: "logout", actor: .user(principal.userID),
                        request: self.requestInfo(context)))
            } catch AuthError.sessionNotFound {
                // Revoked concurrently: the outcome is the same.
            }
            return Respond.noContent(headers: [.setCookie: self.clearedSessionCookie])
        }
        user.get("/v1/sessions") { request, context in
            let principal = context.principal
            let now = self.clock.now()
            let views = try self.store.query { queries in
                try queries.sessions(ofUser: principal.userID, at: now).map {
                    SessionView($0, origin: try queries.origin(of: $0.record), current: $0.id == principal.sessionID)
                }
            }
            return try Respond.json(SessionListResponse(sessions: views))
        }
        user.delete("/v1/sessions/{id}") { request, context in
            let principal = context.principal
            let id = context.parameters.get("id") ?? ""
            guard Identifier.isWellFormed(id, prefix: "ses_") else { throw AuthError.sessionNotFound }
            try await self.store.run(
                RevokeSession(
                    sessionID: id, ownerID: principal.userID, reason: "user_revoked", actor: .user(principal.userID),
                    request: self.requestInfo(context)))
            return Respond.noContent(headers: id == principal.sessionID ? [.setCookie: self.clearedSessionCookie] : [:])
        }
        user.delete("/v1/sessions") { request, context in
            let principal = context.principal
            let count = try await self.store.run(
                RevokeSessions(userID: principal.userID, keep: principal.sessionID, reason: "user_revoked", request: self.requestInfo(context)))
            return try Respond.json(RevokedCountResponse(revoked: count))
        }
    }
}
