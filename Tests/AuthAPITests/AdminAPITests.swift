import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import JOSE
import OTP
import Testing
import TestSupport

/// The admin API over the live server: every endpoint refused without its permission (403 problem naming it) and
/// without `aal2` when the administrator has a second factor; locks that end sessions and refuse logins like a
/// wrong password; grants bounded by what the granter holds; the `roles` claim.
@Suite struct AdminAPITests {
    /// Every admin endpoint: method, path (with `{id}` for a user id), body, and the permission it needs.
    static var endpoints: [(HTTPRequest.Method, String, [String: Any]?, String)] { [
        (.get, "/v1/admin/users", nil, "admin:users:read"),
        (.get, "/v1/admin/users/{id}", nil, "admin:users:read"),
        (.post, "/v1/admin/users/{id}/lock", ["reason": "r"], "admin:users:write"),
        (.post, "/v1/admin/users/{id}/unlock", ["reason": "r"], "admin:users:write"),
        (.put, "/v1/admin/users/{id}/attributes", ["department": "x"], "admin:users:write"),
        (.delete, "/v1/admin/users/{id}/sessions", nil, "admin:sessions:revoke"),
        (.put, "/v1/admin/users/{id}/roles/user", ["reason": "r"], "admin:roles:write"),
        (.delete, "/v1/admin/users/{id}/roles/user", nil, "admin:roles:write"),
        (.get, "/v1/admin/roles/user", nil, "admin:roles:write"),
        (.put, "/v1/admin/roles/custom", ["permissions": ["posts:read"]], "admin:roles:write"),
        (.delete, "/v1/admin/roles/custom", nil, "admin:roles:write"),
    ] }

    static let policy = #"""
        {"roles": {"user": ["profile:read", "posts:read"],
                   "editor": ["profile:read", "posts:read", "posts:create", "posts:update"],
                   "reader_admin": ["admin:users:read"],
                   "super_admin": ["*"]}}
        """#

    /// A harness with `policy` as its `--policy` file.
    static func harness(policy: String = policy) throws -> (Harness, TemporaryDirectory) {
        let files = try TemporaryDirectory("policy")
        let path = files.path + "/policy.json"
        try policy.write(toFile: path, atomically: true, encoding: .utf8)
        let harness = try Harness { $0.configuration.policyFile = path }
        return (harness, files)
    }

    /// Grants `role` to `userID` as an operator would offline, and installs the new snapshot.
    static func grant(_ harness: Harness, _ userID: String, _ role: String) async throws {
        try await harness.store.run(GrantRole(userID: userID, role: role, expiresAt: nil, reason: "test", actorID: "authctl", request: .none))
        try harness.api.authz.reload(from: harness.store)
    }

    static func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ payload: [String: Any]?, bearer: String
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(bearer)"]
        if payload != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: payload.map(body))
    }

    @Test func everyEndpointNeedsItsPermission() async throws {
        let (harness, files) = try Self.harness()
        defer { files.remove() }
        try await harness.run { client in
            let target = try await client.register("target@example.com")
            try await client.register("nobody@example.com")
            let reader = try await client.register("reader@example.com")
            try await Self.grant(harness, reader, "reader_admin")
            let nobody = try await client.login("nobody@example.com", mode: "token").accessToken
            let readerToken = try await client.login("reader@example.com", mode: "token").accessToken
            let before = try harness.eventCount()
            for (method, template, payload, permission) in Self.endpoints {
                let path = template.replacingOccurrences(of: "{id}", with: target)
                let refused = try await Self.call(client, method, path, payload, bearer: nobody)
                let problem = expectProblem(refused, .forbidden)
                #expect(problem["type"] as? String == "urn:authd:problem:forbidden", "\(method) \(path)")
                #expect(problem["permission"] as? String == permission, "\(method) \(path)")
                let asReader = try await Self.call(client, method, path, payload, bearer: readerToken)
                if permission == "admin:users:read" {
                    #expect(asReader.status == .ok, "\(method) \(path): \(text(asReader))")
                } else {
                    #expect(asReader.status == .forbidden, "\(method) \(path)")
                }
                // Without credentials: 401, not 403.
                let anonymous = try await client.execute(uri: path, method: method)
                #expect(anonymous.status == .unauthorized, "\(method) \(path)")
            }
            // Refusals write nothing (sessions were extended at most: none here, the clock stands still).
            #expect(try harness.eventCount() == before)
        }
    }

    @Test func adminWithSecondFactorNeedsAAL2() async throws {
        let (harness, files) = try Self.harness()
        defer { files.remove() }
        try await harness.run { client in
            let admin = try await client.register("admin@example.com")
            try await Self.grant(harness, admin, "super_admin")
            let aal1 = try await client.login("admin@example.com", mode: "token").accessToken
            #expect(try await Self.call(client, .get, "/v1/admin/users", nil, bearer: aal1).status == .ok, "no second factor: aal1 is enough")

            // The administrator enables TOTP from that aal1 session.
            let enroll = object(try await client.post("/v1/mfa/totp/enroll", [:], headers: MFATests.bearer(aal1)))
            let secret = try Base32.decode(try #require(enroll["secret"] as? String))
            let confirm = try await client.post("/v1/mfa/totp/confirm", ["code": try MFATests.code(secret, harness)], headers: MFATests.bearer(aal1))
            #expect(confirm.status == .ok, "\(text(confirm))")

            for (method, template, payload, _) in Self.endpoints {
                let path = template.replacingOccurrences(of: "{id}", with: admin)
                let refused = try await Self.call(client, method, path, payload, bearer: aal1)
                #expect(expectProblem(refused, .forbidden)["type"] as? String == "urn:authd:problem:step-up-required", "\(method) \(path)")
            }
            harness.clock.advance(seconds: 30)
            let aal2 = try await MFATests.mfaLogin(client, harness, email: "admin@example.com", code: try MFATests.code(secret, harness))
            #expect(try await Self.call(client, .get, "/v1/admin/users", nil, bearer: aal2.accessToken).status == .ok)
        }
    }

    @Test func lockedUserIsRefusedLikeAWrongPassword() async throws {
        let (harness, files) = try Self.harness()
        defer { files.remove() }
        try await harness.run { client in
            let admin = try await client.register("admin@example.com")
            try await Self.grant(harness, admin, "super_admin")
            let adminToken = try await client.login("admin@example.com", mode: "token").accessToken
            let victim = try await client.register("victim@example.com")
            let tokens = try await client.login("victim@example.com", mode: "token")
            _ = try await client.login("victim@example.com")

            let lock = try await Self.call(client, .post, "/v1/admin/users/\(victim)/lock", ["reason": "stolen laptop"], bearer: adminToken)
            #expect(lock.status == .ok, "\(text(lock))")
            #expect(object(lock)["sessions_revoked"] as? Int == 2)

            let locked = try await client.login("victim@example.com")
            let wrong = try await client.login("victim@example.com", "not the password")
            #expect(locked.status == .unauthorized && wrong.status == .unauthorized)
            var lockedBody = object(locked.response)
            var wrongBody = object(wrong.response)
            lockedBody["request_id"] = nil
            wrongBody["request_id"] = nil
            #expect(NSDictionary(dictionary: lockedBody).isEqual(to: wrongBody), "\(lockedBody) vs \(wrongBody)")
            expectProblem(try await client.refresh(tokens.refreshToken), .unauthorized)
            expectProblem(try await client.get("/v1/session", bearer: tokens.accessToken), .unauthorized)
            #expect(try harness.events(UserLocked.self).map(\.reason) == ["stolen laptop"])
            #expect(try harness.events(LoginFailed.self).contains { $0.reason == "account_locked" })

            let unlock = try await Self.call(client, .post, "/v1/admin/users/\(victim)/unlock", nil, bearer: adminToken)
            #expect(unlock.status == .noContent)
            #expect(try await client.login("victim@example.com").status == .ok)
        }
    }

    @Test func lockedUserCannotLogInWithAPasskey() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            let cookie = try await client.login("ada@example.com").cookie
            let device = try PasskeyTests.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)
            #expect(try await client.passkeyLogin(device, signCount: 1, userHandle: Array(userID.utf8)).status == .ok)
            try await harness.store.run(LockUser(userID: userID, actorID: "authctl", reason: nil, request: .none))
            let refused = try await client.passkeyLogin(device, signCount: 2, userHandle: Array(userID.utf8))
            #expect(expectProblem(refused, .unauthorized)["type"] as? String == "urn:authd:problem:invalid-credentials")
        }
    }

    @Test func grantsRolesClaimAndBounds() async throws {
        let (harness, files) = try Self.harness()
        defer { files.remove() }
        try await harness.run { client in
            let root = try await client.register("root@example.com")
            try await Self.grant(harness, root, "super_admin")
            let rootToken = try await client.login("root@example.com", mode: "token").accessToken
            let delegate = try await client.register("delegate@example.com")
            let member = try await client.register("member@example.com")

            // A delegate who may write roles but holds only admin:roles:write and posts:*.
            let define = try await Self.call(
                client, .put, "/v1/admin/roles/delegate", ["permissions": ["admin:roles:write", "posts:*"]], bearer: rootToken)
            #expect(define.status == .created, "\(text(define))")
            let grant = try await Self.call(
                client, .put, "/v1/admin/users/\(delegate)/roles/delegate", ["reason": "runs the blog"], bearer: rootToken)
            #expect(grant.status == .noContent, "\(text(grant))")
            let delegateToken = try await client.login("delegate@example.com", mode: "token").accessToken

            // posts-only roles can be granted by the delegate; editor holds profile:read, which the delegate does not.
            #expect(try await Self.call(client, .put, "/v1/admin/roles/poster", ["permissions": ["posts:read"]], bearer: delegateToken).status == .created)
            #expect(try await Self.call(client, .put, "/v1/admin/users/\(member)/roles/poster", ["reason": "r"], bearer: delegateToken).status == .noContent)
            let refused = try await Self.call(client, .put, "/v1/admin/users/\(member)/roles/editor", ["reason": "r"], bearer: delegateToken)
            #expect(expectProblem(refused, .forbidden)["permission"] as? String == "profile:read")
            let escalate = try await Self.call(client, .put, "/v1/admin/roles/delegate", ["permissions": ["*"]], bearer: delegateToken)
            #expect(expectProblem(escalate, .forbidden)["permission"] as? String == "*")
            expectProblem(try await Self.call(client, .put, "/v1/admin/users/\(member)/roles/nosuch", ["reason": "r"], bearer: rootToken), .notFound)
            expectProblem(try await Self.call(client, .put, "/v1/admin/users/\(member)/roles/poster", ["reason": ""], bearer: rootToken), .badRequest)
            expectProblem(
                try await Self.call(client, .put, "/v1/admin/users/\(member)/roles/poster", ["reason": "r", "expires_at": "yesterday"], bearer: rootToken),
                .badRequest)

            // The access token carries the roles held at issue.
            let memberToken = try await client.login("member@example.com", mode: "token").accessToken
            let payload = try #require(memberToken.split(separator: ".").dropFirst().first.flatMap { Encoding.fromBase64URL(String($0)) })
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
            #expect(claims["roles"] as? [String] == ["poster"])

            // The user detail lists the grant; the list paginates with a cursor.
            let detail = object(try await Self.call(client, .get, "/v1/admin/users/\(member)", nil, bearer: rootToken))
            #expect((detail["roles"] as? [[String: Any]])?.first?["granted_by"] as? String == delegate)
            // User-id order (addresses are stored sealed), each address opened.
            let inIDOrder = [(root, "root@example.com"), (delegate, "delegate@example.com"), (member, "member@example.com")]
                .sorted { $0.0 < $1.0 }.map(\.1)
            let first = object(try await Self.call(client, .get, "/v1/admin/users?limit=2", nil, bearer: rootToken))
            #expect((first["users"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == Array(inIDOrder.prefix(2)))
            let cursor = try #require(first["next_cursor"] as? String)
            let second = object(try await Self.call(client, .get, "/v1/admin/users?limit=2&cursor=\(cursor)", nil, bearer: rootToken))
            #expect((second["users"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == [inIDOrder[2]])
            #expect(second["next_cursor"] is NSNull)
            let search = object(try await Self.call(client, .get, "/v1/admin/users?query=deleg", nil, bearer: rootToken))
            #expect((search["users"] as? [[String: Any]])?.count == 1)
            expectProblem(try await Self.call(client, .get, "/v1/admin/users?limit=500", nil, bearer: rootToken), .badRequest)

            // Revoking the role: introspection and checks are current at once; the token keeps its claim until it expires.
            #expect(try await Self.call(client, .delete, "/v1/admin/users/\(member)/roles/poster", ["reason": "done"], bearer: delegateToken).status == .noContent)
            let check = try await Self.call(client, .post, "/v1/authz/check", ["permission": "posts:read"], bearer: memberToken)
            #expect(object(check)["allowed"] as? Bool == false)
            #expect(try harness.events(RoleRevoked.self).map(\.revokedBy) == [delegate])

            // Attributes and session revocation.
            #expect(try await Self.call(client, .put, "/v1/admin/users/\(member)/attributes", ["department": "sales", "clearance": 2], bearer: rootToken).status == .noContent)
            expectProblem(try await Self.call(client, .put, "/v1/admin/users/\(member)/attributes", ["nested": ["a": 1]], bearer: rootToken), .badRequest)
            let revoked = try await Self.call(client, .delete, "/v1/admin/users/\(member)/sessions", nil, bearer: rootToken)
            #expect(object(revoked)["sessions_revoked"] as? Int == 1)
            expectProblem(try await client.get("/v1/session", bearer: memberToken), .unauthorized)
            expectProblem(try await Self.call(client, .get, "/v1/admin/users/usr_doesnotexist0000", nil, bearer: rootToken), .notFound)
        }
    }

    /// The admin key grants the first administrator a role (recorded as `granted_by: admin-key`), then refuses once a
    /// user holds `admin:roles:write`; a request without the key or with a wrong one is 401 and appends nothing.
    @Test func adminKeyBootstrapsTheFirstAdministratorOnly() async throws {
        let (harness, files) = try Self.harness()
        defer { files.remove() }
        try await harness.run { client in
            let first = try await client.register("first@example.com")
            try await client.register("second@example.com")
            let body: [String: Any] = ["email": "First@Example.com", "role": "reader_admin", "reason": "first reader"]
            let before = try harness.eventCount()
            expectProblem(try await client.post("/v1/admin/bootstrap", body), .unauthorized)
            expectProblem(try await client.post("/v1/admin/bootstrap", body, headers: [.authorization: "Bearer wrong-key"]), .unauthorized)
            #expect(try harness.eventCount() == before)

            let key: HTTPFields = [.authorization: "Bearer \(Harness.adminKey)"]
            expectProblem(try await client.post("/v1/admin/bootstrap", ["email": "nobody@example.com", "role": "super_admin", "reason": "r"], headers: key), .notFound)
            expectProblem(try await client.post("/v1/admin/bootstrap", ["email": "first@example.com", "role": "nosuch", "reason": "r"], headers: key), .notFound)
            expectProblem(try await client.post("/v1/admin/bootstrap", ["email": "first@example.com", "role": "super_admin", "reason": " "], headers: key), .badRequest)
            expectProblem(try await client.post("/v1/admin/bootstrap", ["email": "first@example.com", "role": "super_admin", "reason": "r", "x": 1], headers: key), .badRequest)

            // A role without admin:roles:write leaves the bootstrap open; one with it closes it.
            #expect(try await client.post("/v1/admin/bootstrap", body, headers: key).status == .noContent)
            let ops = ["email": "first@example.com", "role": "super_admin", "reason": "first admin"]
            #expect(try await client.post("/v1/admin/bootstrap", ops, headers: key).status == .noContent)
            let grants = try harness.events(RoleGranted.self)
            #expect(grants.map(\.role) == ["reader_admin", "super_admin"])
            #expect(grants.allSatisfy { $0.userID == first && $0.grantedBy == "admin-key" && $0.expiresAt == nil })

            let closed = try await client.post("/v1/admin/bootstrap", ["email": "second@example.com", "role": "super_admin", "reason": "r"], headers: key)
            #expect(expectProblem(closed, .conflict)["type"] as? String == "urn:authd:problem:bootstrap-closed")
            #expect(try harness.events(RoleGranted.self).count == 2)

            // The bootstrapped administrator uses the admin API with a session of their own.
            let token = try await client.login("first@example.com", mode: "token").accessToken
            let users = try await Self.call(client, .get, "/v1/admin/users", nil, bearer: token)
            #expect(users.status == .ok, "\(text(users))")
        }
    }
}
