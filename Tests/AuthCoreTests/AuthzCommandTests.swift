@testable import AuthCore
import EventLog
import ProjectionRebuild
import Testing
import TestSupport

/// Authorization commands against a real store: grants bounded by what the actor holds, expiry by the injected
/// clock, locks that end sessions and refuse logins, the snapshot equal to the projections and to a fold of the log.
@Suite struct AuthzCommandTests {
    func withStore(_ body: (EventStore, ManualClock) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("authz")
        defer { directory.remove() }
        let clock = ManualClock()
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        try await body(store, clock)
    }

    func register(_ store: EventStore, _ email: String) async throws -> String {
        let id = Identifier.user()
        _ = try await store.run(RegisterUser(userID: id, email: email, passwordHash: "$argon2id$x", request: .none))
        return id
    }

    func login(_ store: EventStore, _ userID: String, refresh: OpaqueToken? = nil) throws -> CreateSession {
        CreateSession(
            userID: userID, sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "password", aal: "aal1",
            mode: refresh == nil ? "cookie" : "token", lifetime: 86_400, idleTimeout: 3_600,
            refresh: refresh.map { .init(familyID: Identifier.family(), tokenHash: $0.hash, lifetime: 86_400) }, request: .none)
    }

    /// An administrator can grant only roles whose every permission they hold, and define only such roles.
    @Test func nobodyGrantsWhatTheyDoNotHold() async throws {
        try await withStore { store, _ in
            try await store.run(LoadPolicy(document: AuthzPolicyTests.seed, source: "test"))
            let admin = try await register(store, "admin@example.com")
            let target = try await register(store, "target@example.com")
            try await store.run(GrantRole(userID: admin, role: "admin", expiresAt: nil, reason: "bootstrap", actorID: "authctl", request: .none))
            // admin holds posts:* users:read users:update.
            try await store.run(DefineRole(role: "poster", permissions: ["posts:read", "posts:*"], actorID: admin, request: .none))
            try await store.run(GrantRole(userID: target, role: "poster", expiresAt: nil, reason: "r", actorID: admin, request: .none))
            await #expect(throws: AuthzError.permissionNotHeld("profile:read")) {
                try await store.run(GrantRole(userID: target, role: "editor", expiresAt: nil, reason: "r", actorID: admin, request: .none))
            }
            await #expect(throws: AuthzError.permissionNotHeld("*")) {
                try await store.run(GrantRole(userID: target, role: "super_admin", expiresAt: nil, reason: "r", actorID: admin, request: .none))
            }
            await #expect(throws: AuthzError.permissionNotHeld("users:*")) {
                try await store.run(DefineRole(role: "wide", permissions: ["users:*"], actorID: admin, request: .none))
            }
            await #expect(throws: AuthzError.roleNotFound) {
                try await store.run(GrantRole(userID: target, role: "nosuch", expiresAt: nil, reason: "r", actorID: admin, request: .none))
            }
            // A user with no grant holds nothing.
            let nobody = try await register(store, "nobody@example.com")
            await #expect(throws: AuthzError.permissionNotHeld("posts:read")) {
                try await store.run(GrantRole(userID: admin, role: "poster", expiresAt: nil, reason: "r", actorID: nobody, request: .none))
            }
            let engine = AuthzEngine()
            let snapshot = try engine.reload(from: store)
            #expect(snapshot.check(AuthzRequest(subject: target, permission: "posts:delete"), at: store.clock.now()).reason == "role:poster")
        }
    }

    /// A grant with `expires_at` allows until then and nothing after, without any event; the access token roles
    /// (`grants(of:at:)`) follow.
    @Test func grantsExpireByTheClock() async throws {
        try await withStore { store, clock in
            try await store.run(LoadPolicy(document: AuthzPolicyTests.seed, source: "test"))
            let user = try await register(store, "temp@example.com")
            try await store.run(
                GrantRole(userID: user, role: "editor", expiresAt: clock.now().adding(seconds: 3_600), reason: "cover", actorID: "authctl", request: .none))
            let engine = AuthzEngine()
            let snapshot = try engine.reload(from: store)
            let request = AuthzRequest(subject: user, permission: "posts:update")
            #expect(snapshot.check(request, at: clock.now()).allowed)
            clock.advance(seconds: 3_600)
            let head = try store.head().seq
            #expect(!snapshot.check(request, at: clock.now()).allowed)
            #expect(snapshot.grants(of: user, at: clock.now()).isEmpty)
            #expect(try store.head().seq == head)
        }
    }

    /// Locking ends every session and refresh family of the user, and every later login (password, passkey, any
    /// session creation) is refused with ``AuthError/accountLocked``; refresh finds nothing to rotate. Unlocking
    /// lets logins through again.
    @Test func lockEndsSessionsAndRefusesLogins() async throws {
        try await withStore { store, _ in
            let user = try await register(store, "locked@example.com")
            let refresh = OpaqueToken.generate()
            _ = try await store.run(try login(store, user, refresh: refresh))
            _ = try await store.run(try login(store, user))
            let outcome = try await store.run(LockUser(userID: user, actorID: "usr_adminadminadmin", reason: "stolen laptop", request: .none))
            #expect(outcome == .locked(sessionsRevoked: 2))
            #expect(try await store.run(LockUser(userID: user, actorID: "usr_adminadminadmin", reason: nil, request: .none)) == .alreadyLocked)
            #expect(try store.query { try $0.sessions(ofUser: user, at: store.clock.now()) }.isEmpty)
            await #expect(throws: AuthError.accountLocked) { _ = try await store.run(try login(store, user)) }
            await #expect(throws: AuthError.accountLocked) {
                _ = try await store.run(
                    PasswordLogin(
                        session: try login(store, user), rehash: nil,
                        mfaChallenge: RequireMFA(
                            userID: user, challengeID: Identifier.mfaChallenge(), tokenHash: OpaqueToken.generate().hash, methods: ["totp"],
                            mode: "cookie", expiresAt: store.clock.now().adding(seconds: 300), request: .none)))
            }
            let rotation = RotateRefreshToken(
                presentedHash: refresh.hash, childHash: OpaqueToken.generate().hash, graceSeconds: 0, updateAge: 86_400, request: .none)
            #expect(try await store.run(rotation) == .invalid)
            #expect(try await store.run(UnlockUser(userID: user, actorID: "usr_adminadminadmin", reason: "returned", request: .none)))
            _ = try await store.run(try login(store, user))
            let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
            #expect(report.ok)
        }
    }

    /// After many role, grant, attribute and policy changes the live projections equal a rebuild from the log, and
    /// the engine's snapshot equals the state folded from the log in scratch tables.
    @Test func snapshotEqualsProjectionsAndTheLog() async throws {
        try await withStore { store, clock in
            try await store.run(LoadPolicy(document: AuthzPolicyTests.seed, source: "a"))
            try await store.run(LoadPolicy(document: AuthzPolicyTests.seed, source: "a"))  // unchanged: no event
            var users: [String] = []
            for index in 0..<20 { users.append(try await register(store, "u\(index)@example.com")) }
            for (index, user) in users.enumerated() {
                let role = ["user", "editor", "admin", "super_admin"][index % 4]
                try await store.run(
                    GrantRole(userID: user, role: role, expiresAt: index % 3 == 0 ? clock.now().adding(seconds: 100) : nil, reason: "r\(index)",
                              actorID: "authctl", request: .none))
                try await store.run(
                    SetUserAttributes(userID: user, attributes: ["department": .string("d\(index % 3)"), "clearance": .number(Double(index))],
                                      actorID: "authctl", request: .none))
                clock.advance(seconds: 1)
            }
            try await store.run(DefineRole(role: "custom", permissions: ["a:b"], actorID: "authctl", request: .none))
            try await store.run(DefineRole(role: "custom", permissions: ["a:*"], actorID: "authctl", request: .none))
            try await store.run(DefineRole(role: "gone", permissions: ["c:d"], actorID: "authctl", request: .none))
            try await store.run(DeleteRole(role: "gone", actorID: "authctl", request: .none))
            try await store.run(RevokeRole(userID: users[1], role: "editor", reason: "left", actorID: "authctl", request: .none))
            try await store.run(LoadPolicy(document: #"{"roles": {"user": ["profile:read"]}}"#, source: "b"))

            let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
            #expect(report.ok)
            let live = try AuthzEngine().reload(from: store).state
            let scratch = ScratchProjections([AuthzProjection()])
            try store.read { context in try context.forEachEvent { event in try scratch.apply(event); return true } }
            let folded = try AuthzState.read { scratch.table(AuthzProjection(), $0) }
            #expect(live == folded)
            #expect(live.definedRoles == ["custom": ["a:*"]])
            #expect(live.grants[users[1]] == nil)
            #expect(live.roles["editor"] == nil && live.roles["user"] == ["profile:read"])
            let policyEvents = try store.read { context in
                var count = 0
                try context.forEachEvent { event in
                    if event.type == PolicyLoaded.type { count += 1 }
                    return true
                }
                return count
            }
            #expect(policyEvents == 2)
        }
    }

    /// Snapshots are swapped whole: while one thread installs two alternating policies, every decision pair made on
    /// one snapshot comes from one policy (never `x:a` of one and `x:b` of the other), and an older snapshot never
    /// replaces a newer one.
    @Test func snapshotSwapIsAtomic() async throws {
        let a = AuthzSnapshot(state: AuthzState(policy: try Policy.parse(Array(#"{"roles": {"r": ["x:a"]}}"#.utf8)), grants: ["usr_u": [AuthzPolicyTests.grant("r")]]), seq: 1)
        let b = AuthzSnapshot(state: AuthzState(policy: try Policy.parse(Array(#"{"roles": {"r": ["x:b"]}}"#.utf8)), grants: ["usr_u": [AuthzPolicyTests.grant("r")]]), seq: 2)
        let engine = AuthzEngine()
        let now = AuthzPolicyTests.now
        let mixed = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for index in 0..<20_000 {
                    // Equal seqs are accepted, so the two alternate.
                    engine.install(AuthzSnapshot(state: (index % 2 == 0 ? a : b).state, seq: 3))
                }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var mixed = 0
                    for _ in 0..<20_000 {
                        let snapshot = engine.snapshot
                        let first = snapshot.check(AuthzRequest(subject: "usr_u", permission: "x:a"), at: now).allowed
                        let second = snapshot.check(AuthzRequest(subject: "usr_u", permission: "x:b"), at: now).allowed
                        if first == second { mixed += 1 }
                    }
                    return mixed
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mixed == 0)
        #expect(engine.install(a).seq == 3, "a snapshot read at an older position does not replace a newer one")
    }
}
