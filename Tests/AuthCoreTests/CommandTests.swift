import AuthCore
import AuthCrypto
import EventLog
import LMDB
import Synchronization
import Testing
import TestSupport

/// Commands against a real store: decisions are made inside the write transaction.
@Suite struct CommandTests {
    func withStore(_ body: (EventStore, ManualClock) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("commands")
        defer { directory.remove() }
        let clock = ManualClock()
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        try await body(store, clock)
    }

    /// Logs a user in with a refresh family; returns the first refresh token's hash.
    func tokenLogin(_ store: EventStore, userID: String) async throws -> [UInt8] {
        let refresh = OpaqueToken.generate()
        _ = try await store.run(
            CreateSession(
                userID: userID, sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "password", aal: "aal1",
                mode: "token", lifetime: 86_400, idleTimeout: 3_600,
                refresh: .init(familyID: Identifier.family(), tokenHash: refresh.hash, lifetime: 86_400), request: .none))
        return refresh.hash
    }

    /// 1,000 families, each token presented twice at the same moment (grace off): exactly one plain rotation and
    /// one reuse detection per family, and the live projections equal a rebuild from the log.
    @Test func thousandDoublePresentations() async throws {
        try await withStore { store, _ in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            var tokens: [[UInt8]] = []
            for _ in 0..<1_000 { tokens.append(try await tokenLogin(store, userID: userID)) }
            let outcomes = Mutex<[Int: [String]]>([:])
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, token) in tokens.enumerated() {
                    for _ in 0..<2 {
                        group.addTask {
                            let result = try await store.run(
                                RotateRefreshToken(
                                    presentedHash: token, childHash: OpaqueToken.generate().hash, graceSeconds: 0, updateAge: 86_400,
                                    request: .none))
                            switch result {
                            case .rotated(let rotation): return (index, rotation.grace ? "grace" : "rotated")
                            case .reuseDetected: return (index, "reuse")
                            case .invalid: return (index, "invalid")
                            }
                        }
                    }
                }
                for try await (index, outcome) in group { outcomes.withLock { $0[index, default: []].append(outcome) } }
            }
            let all = outcomes.withLock { $0 }
            #expect(all.count == 1_000)
            #expect(all.values.allSatisfy { $0.sorted() == ["reuse", "rotated"] })
            let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
            #expect(report.ok)
        }
    }

    @Test func graceReExchangeIsRecordedAsSuch() async throws {
        try await withStore { store, clock in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            let token = try await tokenLogin(store, userID: userID)
            func rotate() async throws -> RotateRefreshToken.Result {
                try await store.run(
                    RotateRefreshToken(presentedHash: token, childHash: OpaqueToken.generate().hash, graceSeconds: 10, updateAge: 86_400, request: .none))
            }
            guard case .rotated(let first) = try await rotate(), case .rotated(let second) = try await rotate() else {
                Issue.record("expected rotations")
                return
            }
            #expect(!first.grace && second.grace)
            clock.advance(seconds: 11)
            #expect(try await rotate() == .reuseDetected)
            #expect(try await rotate() == .invalid)
        }
    }

    @Test func changePasswordRevokesOthersAndGuardsAgainstConcurrentChanges() async throws {
        try await withStore { store, _ in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "h1", request: .none))
            _ = try await tokenLogin(store, userID: userID)
            _ = try await tokenLogin(store, userID: userID)
            await #expect(throws: AuthError.passwordChangedConcurrently) {
                try await store.run(ChangePassword(userID: userID, expectedHash: "stale", newHash: "h2", keepSessionID: nil, request: .none))
            }
            let revoked = try await store.run(ChangePassword(userID: userID, expectedHash: "h1", newHash: "h2", keepSessionID: nil, request: .none))
            #expect(revoked == 2)
            #expect(try store.query { try $0.sessions(ofUser: userID, at: store.clock.now()) }.isEmpty)
            #expect(try store.query { try $0.user(id: userID)?.record.passwordHash } == "h2")
            await #expect(throws: AuthError.emailTaken) {
                try await store.run(RegisterUser(userID: Identifier.user(), email: "ada@example.com", passwordHash: "x", request: .none))
            }
        }
    }
}
