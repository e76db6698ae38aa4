import AuthCore
import EventLog
import Testing
import TestSupport

/// ``PasswordLogin`` against a real store: given state, when the command runs, then these events (and no others).
@Suite struct PasswordLoginTests {
    func withStore(_ body: (EventStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("password-login")
        defer { directory.remove() }
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        try await body(store)
    }

    /// The types of the events appended after `seq`.
    func types(after seq: UInt64, in store: EventStore) throws -> [String] {
        try store.read { context in
            var out: [String] = []
            try context.forEachEvent(from: seq + 1) { event in
                out.append(event.type)
                return true
            }
            return out
        }
    }

    /// Given a registered user with password hash `h1`, returns the user id.
    func givenUser(_ store: EventStore) async throws -> String {
        let userID = Identifier.user()
        _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "h1", request: .none))
        return userID
    }

    /// Given TOTP enabled for `userID`.
    func givenTOTP(_ store: EventStore, userID: String) async throws {
        let sealed: [UInt8] = Array(repeating: 1, count: 48)
        try await store.run(
            StartTOTPEnrollment(userID: userID, sealedSecret: sealed, expiresAt: store.clock.now().adding(seconds: 600), request: .none))
        _ = try await store.run(
            ConfirmTOTP(
                userID: userID, sealedSecret: sealed, step: 1, backupSetID: Identifier.backupCodeSet(),
                backupHashes: [Array(repeating: 2, count: 32)], request: .none))
    }

    func login(
        _ store: EventStore, userID: String, mode: String = "cookie", rehashExpecting expected: String? = nil, challengeTokenHash: [UInt8] = OpaqueToken.generate().hash
    ) -> PasswordLogin {
        let create = CreateSession(
            userID: userID, sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "password", aal: "aal1",
            mode: mode, lifetime: 86_400, idleTimeout: 3_600,
            refresh: mode == "token" ? .init(familyID: Identifier.family(), tokenHash: OpaqueToken.generate().hash, lifetime: 86_400) : nil,
            request: .none)
        let rehash = expected.map {
            RehashPassword(userID: userID, expectedHash: $0, newHash: "h2", previousParameters: "m=19456,t=2,p=1", request: .none)
        }
        let challenge = RequireMFA(
            userID: userID, challengeID: Identifier.mfaChallenge(), tokenHash: challengeTokenHash, methods: ["totp", "backup_code"],
            mode: mode, expiresAt: store.clock.now().adding(seconds: 300), request: .none)
        return PasswordLogin(session: create, rehash: rehash, mfaChallenge: challenge)
    }

    @Test func oneFactorCreatesTheSession() async throws {
        try await withStore { store in
            let userID = try await givenUser(store)
            let before = try store.head().seq
            let command = login(store, userID: userID, mode: "token")
            guard case .session(let created) = try await store.run(command) else {
                Issue.record("expected a session")
                return
            }
            #expect(created.sessionID == command.session.sessionID && created.aal == "aal1" && created.familyExpiresAt != nil)
            #expect(try types(after: before, in: store) == ["login.succeeded", "session.created", "refresh.family_started"])
            #expect(try store.query { try $0.session(id: created.sessionID, at: store.clock.now()) } != nil)
        }
    }

    @Test func aWeakHashIsUpgradedBeforeTheSession() async throws {
        try await withStore { store in
            let userID = try await givenUser(store)
            let before = try store.head().seq
            guard case .session = try await store.run(login(store, userID: userID, rehashExpecting: "h1")) else {
                Issue.record("expected a session")
                return
            }
            #expect(try types(after: before, in: store) == ["password.rehashed", "login.succeeded", "session.created"])
            #expect(try store.query { try $0.user(id: userID)?.record.passwordHash } == "h2")
        }
    }

    /// The hash changed since the caller verified it (a concurrent password change): no rehash, the login goes on.
    @Test func aStaleRehashWritesNothing() async throws {
        try await withStore { store in
            let userID = try await givenUser(store)
            let before = try store.head().seq
            guard case .session = try await store.run(login(store, userID: userID, rehashExpecting: "stale")) else {
                Issue.record("expected a session")
                return
            }
            #expect(try types(after: before, in: store) == ["login.succeeded", "session.created"])
            #expect(try store.query { try $0.user(id: userID)?.record.passwordHash } == "h1")
        }
    }

    /// With a second factor the password only opens the MFA challenge: no session, no `login.succeeded`.
    @Test func aSecondFactorOpensAChallengeInstead() async throws {
        try await withStore { store in
            let userID = try await givenUser(store)
            try await givenTOTP(store, userID: userID)
            let before = try store.head().seq
            let tokenHash = OpaqueToken.generate().hash
            let outcome = try await store.run(login(store, userID: userID, rehashExpecting: "h1", challengeTokenHash: tokenHash))
            #expect(outcome == .mfaRequired)
            #expect(try types(after: before, in: store) == ["password.rehashed", "login.mfa_required"])
            #expect(try store.query { try $0.sessions(ofUser: userID, at: store.clock.now()) }.isEmpty)
            #expect(try store.query { try $0.mfaChallenge(tokenHash: tokenHash, at: store.clock.now())?.userID } == userID)
        }
    }

    @Test func anUnknownUserGetsNothing() async throws {
        try await withStore { store in
            let before = try store.head().seq
            await #expect(throws: AuthError.unknownUser) { try await store.run(login(store, userID: Identifier.user())) }
            #expect(try types(after: before, in: store).isEmpty)
        }
    }
}
