@testable import AuthCore
import AuthCrypto
import EventLog
import LMDB
import ProjectionRebuild
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
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        try await body(store, clock)
    }

    /// The key refresh successors are derived under in these tests.
    static let refreshKey = [UInt8](repeating: 7, count: 32)

    /// Logs a user in with a refresh family; returns the first refresh token.
    func tokenLogin(_ store: EventStore, userID: String) async throws -> OpaqueToken {
        let refresh = OpaqueToken.generate()
        _ = try await store.run(
            CreateSession(
                userID: userID, sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "password", aal: "aal1",
                mode: "token", lifetime: 86_400, idleTimeout: 3_600,
                refresh: .init(familyID: Identifier.family(), tokenHash: refresh.hash, lifetime: 86_400), request: .none))
        return refresh
    }

    /// The command presenting `token`, with the successor the server derives for it.
    func rotation(_ token: OpaqueToken, graceSeconds: Int64) -> RotateRefreshToken {
        RotateRefreshToken(
            presentedHash: token.hash, childHash: OpaqueToken.successor(of: token.text, key: Self.refreshKey)!.hash,
            graceSeconds: graceSeconds, updateAge: 86_400, request: .none)
    }

    /// 1,000 families, each token presented twice at the same moment (grace off): exactly one plain rotation and
    /// one reuse detection per family, and the live projections equal a rebuild from the log.
    @Test func thousandDoublePresentations() async throws {
        try await withStore { store, _ in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            var tokens: [OpaqueToken] = []
            for _ in 0..<1_000 { tokens.append(try await tokenLogin(store, userID: userID)) }
            let outcomes = Mutex<[Int: [String]]>([:])
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, token) in tokens.enumerated() {
                    for _ in 0..<2 {
                        group.addTask {
                            let result = try await store.run(rotation(token, graceSeconds: 0))
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

    /// Within the window a used token gets the child it already got (the same hash), as long as that child is the
    /// unused leaf; once the child is used, or after the window, the parent is reuse.
    @Test func graceReExchangeHandsOutTheSameChild() async throws {
        try await withStore { store, clock in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            let token = try await tokenLogin(store, userID: userID)
            guard case .rotated(let first) = try await store.run(rotation(token, graceSeconds: 10)),
                case .rotated(let second) = try await store.run(rotation(token, graceSeconds: 10))
            else {
                Issue.record("expected rotations")
                return
            }
            #expect(!first.grace && second.grace)
            let rotations = try store.read { context -> [RefreshRotated] in
                var out: [RefreshRotated] = []
                try context.forEachEvent { event in
                    if event.type == RefreshRotated.type { out.append(try RefreshRotated(event)) }
                    return true
                }
                return out
            }
            #expect(rotations.count == 2 && rotations[0].childHash == rotations[1].childHash)
            clock.advance(seconds: 11)
            #expect(try await store.run(rotation(token, graceSeconds: 10)) == .reuseDetected)
            #expect(try await store.run(rotation(token, graceSeconds: 10)) == .invalid)
        }
    }

    @Test func parentIsReuseOnceItsChildIsUsedEvenInsideTheWindow() async throws {
        try await withStore { store, _ in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            let token = try await tokenLogin(store, userID: userID)
            let child = OpaqueToken.successor(of: token.text, key: Self.refreshKey)!
            guard case .rotated = try await store.run(rotation(token, graceSeconds: 30)),
                case .rotated(let next) = try await store.run(rotation(child, graceSeconds: 30))
            else {
                Issue.record("expected rotations")
                return
            }
            #expect(!next.grace)
            #expect(try await store.run(rotation(token, graceSeconds: 30)) == .reuseDetected)
        }
    }

    /// A family forked by an older version (two unused children of one parent): presenting the one that is not the
    /// live leaf is reuse, and ends the family.
    @Test func unusedTokenThatIsNotTheLeafIsReuse() async throws {
        try await withStore { store, _ in
            let userID = Identifier.user()
            _ = try await store.run(RegisterUser(userID: userID, email: "ada@example.com", passwordHash: "$argon2id$x", request: .none))
            let token = try await tokenLogin(store, userID: userID)
            let stray = OpaqueToken.generate()
            // What an older version's grace re-exchange wrote: a second, random child of the same parent.
            _ = try await store.run(rotation(token, graceSeconds: 30))
            _ = try await store.execute { context in
                let family = try #require(try context.state.table(RefreshProjection(), "tokens").record(RefreshTokenRecord.self, token.hash))
                try context.emit(
                    RefreshRotated(familyID: family.familyID, sessionID: "", userID: userID, parentHash: token.hash, childHash: stray.hash, grace: true),
                    actor: .user(userID), request: .none)
            }
            // The live leaf is now the stray child; the first child (unused) is a fork.
            let firstChild = OpaqueToken.successor(of: token.text, key: Self.refreshKey)!
            #expect(try await store.run(rotation(firstChild, graceSeconds: 30)) == .reuseDetected)
            #expect(try await store.run(rotation(stray, graceSeconds: 30)) == .invalid)
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
