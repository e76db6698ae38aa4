import AuthCore
import AuthHTTP
import EventLog
import Hummingbird

/// Who is calling: an active session, and how it was presented.
public struct Principal: Sendable {
    /// How the session was presented.
    public enum Method: String, Sendable {
        /// The `__Host-session` cookie (subject to the CSRF check on unsafe methods).
        case cookie
        /// `Authorization: Bearer <session token>`.
        case sessionToken = "session_token"
        /// `Authorization: Bearer <access token JWT>`.
        case accessToken = "access_token"
    }

    public var method: Method
    public var session: Queries.ActiveSession
    /// The address the request came from (the ABAC `context.ip`), set for authenticated routes.
    public var requestIP: String?

    /// Creates a principal.
    public init(method: Method, session: Queries.ActiveSession) {
        self.method = method
        self.session = session
    }

    public var userID: String { session.record.userID }
    public var sessionID: String { session.id }
}

extension AuthService {
    /// Authenticates the request from `Authorization: Bearer` (a session token or an access token) or else the
    /// session cookie. Cookie-authenticated unsafe requests must pass the CSRF origin check (403); bearer requests
    /// are exempt. A session last seen more than `update_age` ago is extended (one event per `update_age`).
    /// - Throws: 401 ``Problem`` without valid credentials, 403 for a failed CSRF check.
    public func authenticate(_ request: Request, context: AuthRequestContext) async throws -> Principal {
        let now = clock.now()
        let principal: Principal
        if let authorization = request.headers.value(of: .authorization) {
            guard let (token, hasDot) = Self.bearer(authorization) else {
                throw Problem.unauthenticated("the Authorization header must be 'Bearer <token>'")
            }
            if hasDot {
                guard let verified = tokens.verify(String(token), now: now),
                    let session = try await readCatchingUp({ try store.query({ try $0.session(id: verified.sessionID, at: now, handle: sessionRecords) }) }),
                    session.record.userID == verified.userID
                else { throw Problem.unauthenticated("the bearer token is not valid") }
                principal = Principal(method: .accessToken, session: session)
            } else {
                guard let session = try await readCatchingUp({ try validateSessionToken(token, now: now) }) else {
                    throw Problem.unauthenticated("the bearer token is not valid")
                }
                principal = Principal(method: .sessionToken, session: session)
            }
        } else if let cookie = request.cookies[options.cookieName] {
            try csrf.verify(request)
            guard let session = try await readCatchingUp({ try validateSessionToken(cookie.value, now: now) }) else {
                throw Problem.unauthenticated("the session has ended; log in again")
            }
            principal = Principal(method: .cookie, session: session)
        } else {
            throw Problem.unauthenticated()
        }
        if ExtendSession.isDue(principal.session.record, at: now, updateAge: sessionUpdateAge) {
            _ = try await store.run(ExtendSession(sessionID: principal.sessionID, updateAge: sessionUpdateAge, request: requestInfo(context)))
        }
        return principal
    }

    /// `read()`, and with a shared log (several nodes) on a miss, `read()` again after catching up with the other
    /// nodes' commits: a session created through another node a moment ago is found (read-your-writes across
    /// nodes). A revocation through another node reaches this one within the follower's delay (docs/DEPLOYMENT.md).
    func readCatchingUp<T>(_ read: () throws -> T?) async throws -> T? {
        if let found = try read() { return found }
        guard store.sharedLog != nil else { return nil }
        try await store.catchUp()
        return try read()
    }

    /// The active session of a presented session token, with its record (the check, then the record: two point reads
    /// in one snapshot, through table handles resolved at start).
    public func validateSessionToken(_ token: some StringProtocol, now: Timestamp) throws -> Queries.ActiveSession? {
        guard let hash = OpaqueToken.hash(of: token) else { return nil }
        return try store.query { queries in
            guard let check = try queries.sessionCheck(tokenHash: hash, at: now, handle: sessionTokens) else { return nil }
            return try queries.session(id: check.sessionID, at: now, handle: sessionRecords)
        }
    }

    /// The session check alone: SHA-256 of the token's bytes and one LMDB point read of a fixed-layout value.
    public func checkSessionToken(_ token: some StringProtocol, now: Timestamp) throws -> SessionCheck? {
        guard let hash = OpaqueToken.hash(of: token) else { return nil }
        return try store.query { try $0.sessionCheck(tokenHash: hash, at: now, handle: sessionTokens) }
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, spaces before the token skipped), or `nil`.
    static func bearerToken(_ header: String) -> Substring? { bearer(header)?.token }

    /// ``bearerToken(_:)`` and whether the token holds a `.` (an access token, a JWT; session tokens have none).
    ///
    /// One pass over the header's UTF-8 bytes in place: this runs on every authenticated request (no lowercased copy,
    /// no walk of the string's characters or of a substring's UTF-8 view).
    static func bearer(_ header: String) -> (token: Substring, hasDot: Bool)? {
        var header = header
        let found = header.withUTF8 { bytes -> (start: Int, hasDot: Bool)? in
            // `bearer` in any case: ASCII letters differ from their capitals in bit 0x20 only.
            guard bytes.count > 7, bytes[0] | 0x20 == UInt8(ascii: "b"), bytes[1] | 0x20 == UInt8(ascii: "e"),
                bytes[2] | 0x20 == UInt8(ascii: "a"), bytes[3] | 0x20 == UInt8(ascii: "r"), bytes[4] | 0x20 == UInt8(ascii: "e"),
                bytes[5] | 0x20 == UInt8(ascii: "r"), bytes[6] == UInt8(ascii: " ")
            else { return nil }
            var start = 7
            while start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
            let count = bytes.count - start
            guard count > 0, count <= 8192 else { return nil }
            var hasDot = false
            for byte in bytes[start...] {
                if byte == UInt8(ascii: " ") { return nil }
                if byte == UInt8(ascii: ".") { hasDot = true }
            }
            return (start, hasDot)
        }
        guard let found else { return nil }
        let utf8 = header.utf8
        return (Substring(utf8[utf8.index(utf8.startIndex, offsetBy: found.start)...]), found.hasDot)
    }

    /// `Set-Cookie` for a new session.
    func sessionCookie(_ token: String, maxAge: Int) -> String {
        "\(options.cookieName)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; Secure; SameSite=Lax"
    }

    /// `Set-Cookie` that deletes the session cookie.
    var clearedSessionCookie: String {
        "\(options.cookieName)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"
    }
}
