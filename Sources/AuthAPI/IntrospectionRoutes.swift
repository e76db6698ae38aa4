import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird

/// `POST /v1/introspect {token, token_type_hint?}` (RFC 7662 style, JSON).
struct IntrospectRequest: StrictDecodable {
    let token: String
    let tokenTypeHint: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case token, tokenTypeHint = "token_type_hint" }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// The introspection answer: `{active: false}` alone, or the token's facts.
struct IntrospectResponse: Encodable {
    var active: Bool
    var tokenType: String?
    var sub: String?
    var sid: String?
    var aal: String?
    var exp: Int64?
    var iat: Int64?
    var iss: String?
    var aud: String?
    var jti: String?

    enum CodingKeys: String, CodingKey { case active, tokenType = "token_type", sub, sid, aal, exp, iat, iss, aud, jti }

    static let inactive = IntrospectResponse(active: false)

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(active, forKey: .active)
        try c.encodeIfPresent(tokenType, forKey: .tokenType)
        try c.encodeIfPresent(sub, forKey: .sub)
        try c.encodeIfPresent(sid, forKey: .sid)
        try c.encodeIfPresent(aal, forKey: .aal)
        try c.encodeIfPresent(exp, forKey: .exp)
        try c.encodeIfPresent(iat, forKey: .iat)
        try c.encodeIfPresent(iss, forKey: .iss)
        try c.encodeIfPresent(aud, forKey: .aud)
        try c.encodeIfPresent(jti, forKey: .jti)
    }
}

extension AuthService {
    func addIntrospectionRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/introspect") { request, context in
            try self.requireAdmin(request)
            let body = try await request.decodeStrict(as: IntrospectRequest.self, context: context)
            return try Respond.json(try self.introspect(body.token))
        }
    }

    /// Checks `Authorization: Bearer <admin key>` (digests compared in constant time); 401 otherwise, and always
    /// when no admin key is configured.
    func requireAdmin(_ request: Request) throws {
        guard let expected = adminKeyDigest, let header = request.headers[.authorization], let key = Self.bearerToken(header),
            ConstantTime.equals(SHA256.hash(Array(key.utf8)), expected)
        else {
            var problem = Problem.unauthenticated("the admin API key is required")
            problem.headers[.wwwAuthenticate] = #"Bearer realm="authd-admin""#
            throw problem
        }
    }

    /// What a token is: an access token, a session token or a refresh token that is active now, else inactive.
    func introspect(_ token: String) throws -> IntrospectResponse {
        let now = clock.now()
        if token.utf8.contains(UInt8(ascii: ".")) {
            guard let verified = tokens.verify(token, now: now),
                let session = try store.query({ try $0.session(id: verified.sessionID, at: now) }), session.record.userID == verified.userID
            else { return .inactive }
            return IntrospectResponse(
                active: true, tokenType: "access_token", sub: verified.userID, sid: verified.sessionID, aal: verified.aal ?? session.record.aal,
                exp: verified.expiresAt, iat: verified.issuedAt, iss: tokens.issuer, aud: tokens.audience, jti: verified.jwtID)
        }
        guard let hash = OpaqueToken.hash(of: token) else { return .inactive }
        if let session = try store.query({ try $0.session(tokenHash: hash, at: now) }) {
            let record = session.record
            return IntrospectResponse(
                active: true, tokenType: "session_token", sub: record.userID, sid: session.id, aal: record.aal,
                exp: min(record.expiresAt, record.idleExpiresAt).seconds, iat: record.createdAt.seconds, iss: tokens.issuer)
        }
        if let (refresh, session) = try store.query({ try $0.activeRefreshToken(hash: hash, at: now) }) {
            return IntrospectResponse(
                active: true, tokenType: "refresh_token", sub: refresh.family.userID, sid: session.id, aal: session.record.aal,
                exp: refresh.family.expiresAt.seconds, iss: tokens.issuer)
        }
        return .inactive
    }
}
