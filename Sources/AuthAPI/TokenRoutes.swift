import AuthCore
import AuthHTTP
import Hummingbird

/// `POST /v1/token/refresh {refresh_token}`.
struct RefreshRequest: StrictDecodable {
    let refreshToken: String
    enum CodingKeys: String, CodingKey, CaseIterable { case refreshToken = "refresh_token" }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// The answer of `POST /v1/token/refresh`, written by hand (see ``JSONWriter``): members in sorted order, as
/// `JSONResponseEncoder` writes them.
struct TokenResponse {
    let accessToken: String
    let tokenType: String
    let expiresIn: Int64
    let refreshToken: String

    /// A 200 `application/json` response with `Cache-Control: no-store` and `Pragma: no-cache` (it carries tokens).
    var response: Response {
        var body = JSONWriter()
        body.add("access_token", accessToken)
        body.add("expires_in", expiresIn)
        body.add("refresh_token", refreshToken)
        body.add("token_type", tokenType)
        return body.response()
    }
}

extension AuthService {
    func addTokenRoutes(_ routes: AuthRoutes) {
        routes.post("/v1/token/refresh") { request, context in
            try await self.refresh(request, context: context)
        }
    }

    /// Rotates the refresh token (see ``RotateRefreshToken``). The successor is derived from the presented token, so
    /// a re-exchange inside the grace window answers the same refresh token again. Unknown, reused, revoked and
    /// expired tokens all get the same 401; reuse also revokes the family and its session.
    ///
    /// A flood of made-up tokens never reaches the single writer's commands: an unknown hash is answered from a read
    /// transaction (with a shared log, after one catch-up with the other nodes' commits), and such failures are
    /// limited per client address (429 once ``AuthAPIOptions/refreshFailuresPerIP``
    /// is spent; clients with valid tokens are not counted).
    func refresh(_ request: Request, context: AuthRequestContext) async throws -> Response {
        // A failure is reserved up front, before the body is even read (a flood from a spent address costs no
        // decoding), and given back for a token that exists; concurrent requests cannot outrun the budget.
        let clientKey = ipKey(context)
        do {
            try await consume(refreshFailuresPerIP, key: clientKey, scope: "ip", userID: nil, context: context)
        } catch {
            await refreshTarpit.hold()  // refused: answered after a delay (``Tarpit``)
            throw error
        }
        let body = try await request.decodeStrict(as: RefreshRequest.self, context: context)
        let info = requestInfo(context)
        guard let presented = OpaqueToken.hash(of: body.refreshToken),
            let child = OpaqueToken.successor(of: body.refreshToken, key: refreshKey),
            // A token issued through another node a moment ago is found after a catch-up (several nodes): without
            // it, that node's answer would be "unknown", and a race with its twin would not be seen as reuse. The
            // same read seals the request's personal fields here, off the writer.
            let prepared = try await readCatchingUp({ try store.query { try $0.refreshPresentation(hash: presented, request: info) } })
        else {
            APIMetrics.login(.refresh, .failure)
            throw Problem.invalidRefreshToken
        }
        refreshFailuresPerIP.refund(clientKey)
        let configuration = options.configuration
        let outcome = try await store.run(
            RotateRefreshToken(
                presentedHash: presented, childHash: child.hash, graceSeconds: Int64(configuration.refreshGrace),
                updateAge: Int64(configuration.sessionUpdateAge), request: prepared))
        let rotation: RotateRefreshToken.Rotation
        switch outcome {
        case .rotated(let rotated):
            rotation = rotated
            APIMetrics.refreshRotated()
            APIMetrics.login(.refresh, .success)
        case .reuseDetected:
            APIMetrics.refreshReuseDetected()
            APIMetrics.login(.refresh, .reuseDetected)
            throw Problem.invalidRefreshToken
        case .invalid:
            APIMetrics.login(.refresh, .failure)
            throw Problem.invalidRefreshToken
        }
        let access = try tokens.issue(userID: rotation.userID, sessionID: rotation.sessionID, aal: rotation.aal, now: clock.now())
        return TokenResponse(accessToken: access.token, tokenType: "Bearer", expiresIn: access.expiresIn, refreshToken: child.text).response
    }
}
