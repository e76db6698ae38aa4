import AuthAPI
import AuthCore
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// After `user.deleted` no projection row names the user: every table of every projection is scanned for the user
/// id's bytes, in keys and values, after accounts that used every kind of state were deleted (by the holder over the
/// live server, and by an operator while locked). The forensic stream index keeps the user's events (by design), and
/// the live tables equal a rebuild.
@Suite struct DeletedUserRowsTests {
    static let email = "ada@example.com"

    /// `table: key` of every projection row (key or value) holding `userID`'s UTF-8 bytes; the stream index apart.
    static func rowsNaming(_ userID: String, in store: EventStore) throws -> [String] {
        let needle = Array(userID.utf8)
        var hits: [String] = []
        try store.read { context in
            for projection in store.projections where !(projection is StreamIndex) {
                for name in projection.tables {
                    let table = context.state.table(projection, name)
                    try context.scan(table, from: []) { key, value in
                        if key.contains(subsequence: needle) || value.contains(subsequence: needle) {
                            hits.append("\(table.name): \(String(decoding: key, as: UTF8.self))")
                        }
                        return true
                    }
                }
            }
        }
        return hits
    }

    @Test func noProjectionRowNamesADeletedUser() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            // Registration (a verification link), a passkey, a refresh family rotated then ended by a logout (a
            // revoked family), TOTP with backup codes, a live token session, a reset link, a role and attributes.
            let userID = try await client.register(Self.email)
            let cookie = try await client.login(Self.email).cookie
            #expect(try await client.registerPasskey(try PasskeyTests.authenticator(), cookie: cookie).status == .created)
            let first = try await client.login(Self.email, mode: "token")
            let rotated = try await client.refresh(first.refreshToken)
            #expect(rotated.status == .ok)
            let logout = try await client.post("/v1/logout", [:], headers: MFATests.bearer(first.accessToken))
            #expect(logout.status == .noContent, "\(text(logout))")
            let enrolled = try await MFATests.enroll(client, harness, email: Self.email, register: false)
            #expect(try await client.post("/v1/password/reset/request", ["email": Self.email]).status == .accepted)
            try await harness.store.run(DefineRole(role: "reader", permissions: ["posts:read"], actorID: "authctl", request: .none))
            try await harness.store.run(GrantRole(userID: userID, role: "reader", expiresAt: nil, reason: "r", actorID: "authctl", request: .none))
            try await harness.store.run(SetUserAttributes(userID: userID, attributes: ["team": .string("blue")], actorID: "authctl", request: .none))
            #expect(try Self.rowsNaming(userID, in: harness.store).count > 10)
            #expect(try harness.events(RefreshFamilyRevoked.self).map(\.reason) == ["logout"])

            let deleted = try await client.execute(uri: "/v1/me", method: .delete, headers: enrolled.bearer)
            #expect(deleted.status == .ok, "\(text(deleted))")
            #expect(try Self.rowsNaming(userID, in: harness.store) == [])
            // The forensic index still finds the user's events (they stay in the log, sealed data erased).
            #expect(try harness.store.read { try $0.seqs(in: StreamRef(.user, userID)).count } > 10)

            // An operator deletes a locked account (as `authctl users delete`).
            let bob = try await client.register("bob@example.com")
            _ = try await client.login("bob@example.com", mode: "token")
            try await harness.store.run(LockUser(userID: bob, actorID: "authctl", reason: "abuse", request: .none))
            try await harness.store.run(
                DeleteUser(userID: bob, reason: "operator", actor: Actor(kind: .admin, id: "authctl"), request: RequestInfo()))
            #expect(try Self.rowsNaming(bob, in: harness.store) == [])
            try AccountLifecycleTests.checkLog(harness, tokens: [])
        }
    }
}
