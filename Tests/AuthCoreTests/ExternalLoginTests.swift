import AuthCore
import EventLog
import ProjectionRebuild
import Testing
import TestSupport

/// ``ExternalLogin``, ``LinkIdentity``, ``UnlinkIdentity`` and ``RedeemLoginCode`` against a real store: given state,
/// when the command runs, then these events; and the identities projection rebuilt from the log equals the live one.
@Suite struct ExternalLoginTests {
    func withStore(_ body: (EventStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("external-login")
        defer { directory.remove() }
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        try await body(store)
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables.isEmpty)
    }

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

    static func identity(
        subject: String = "sub-1", email: String? = "ada@example.com", verified: Bool = true, provider: String = "acme"
    ) -> ExternalIdentity {
        ExternalIdentity(provider: provider, issuer: "https://\(provider).example", subject: subject, email: email, emailVerified: verified)
    }

    func login(
        _ store: EventStore, _ identity: ExternalIdentity, allowSignup: Bool = true, mode: String = "cookie", requireVerifiedEmail: Bool = false
    ) -> ExternalLogin {
        let finish: ExternalLogin.Finish
        if mode == "cookie" {
            finish = .session(
                CreateSession(
                    userID: "", sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "oidc", aal: "aal1",
                    mode: "cookie", lifetime: 86_400, idleTimeout: 3_600, refresh: nil, request: .none))
        } else {
            finish = .loginCode(
                IssueFlowState(
                    table: try! FlowState.table(in: store), key: OpaqueToken.generate().hash, kind: .oauthLoginCode, payload: [], lifetime: 60))
        }
        return ExternalLogin(
            identity: identity, allowSignup: allowSignup, newUserID: Identifier.user(),
            newUserPasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", identityID: Identifier.identity(),
            subjectHash: String(repeating: "ab", count: 32), finish: finish,
            mfaChallenge: RequireMFA(
                userID: "", challengeID: Identifier.mfaChallenge(), tokenHash: OpaqueToken.generate().hash, methods: ["totp"], mode: mode,
                expiresAt: store.clock.now().adding(seconds: 300), request: .none),
            request: .none, requireVerifiedEmail: requireVerifiedEmail)
    }

    @Test func requiredVerificationRefusesAnUnverifiedAccountAfterTheIdentity() async throws {
        try await withStore { (store: EventStore) async throws in
            // A signup whose provider did not verify the address: the account is made, the login refused.
            let unverified = Self.identity(subject: "u", email: "una@example.com", verified: false)
            #expect(try await store.run(login(store, unverified, requireVerifiedEmail: true)) == .refused(reason: "email_not_verified"))
            #expect(try types(after: 0, in: store) == ["user.registered", "identity.linked", "login.failed"])
            let failed = try store.read { context in try #require(try context.event(3)) }
            #expect(try LoginFailed(failed).reason == "email_not_verified" && LoginFailed(failed).userID != nil)
            // The linked identity is refused likewise, and logs in without the setting.
            #expect(try await store.run(login(store, unverified, requireVerifiedEmail: true)) == .refused(reason: "email_not_verified"))
            guard case .session = try await store.run(login(store, unverified)) else {
                Issue.record("no session without the setting")
                return
            }
            // A provider-verified signup is a verified account: the session is made under the setting.
            guard case .session = try await store.run(login(store, Self.identity(), requireVerifiedEmail: true)) else {
                Issue.record("no session for a verified address")
                return
            }
        }
    }

    @Test func aDeletedUsersIdentityNoLongerLogsItIn() async throws {
        try await withStore { (store: EventStore) async throws in
            guard case .session(let first) = try await store.run(login(store, Self.identity())) else { return }
            try await store.run(DeleteUser(userID: first.userID, reason: "user", actor: .user(first.userID), request: .none))
            #expect(try store.read { try ExternalLogin.identities(ofUser: first.userID, in: $0.state) }.isEmpty)
            // The same external account signs up again: a new user, not a session of the deleted one.
            guard case .session(let again) = try await store.run(login(store, Self.identity())) else {
                Issue.record("no session")
                return
            }
            #expect(again.userID != first.userID)
        }
    }

    @Test func signupLinksAndTheSecondLoginFindsTheSameUser() async throws {
        try await withStore { (store: EventStore) async throws in
            guard case .session(let first) = try await store.run(login(store, Self.identity())) else {
                Issue.record("no session")
                return
            }
            // The provider verified the address: the new account's address is verified too.
            #expect(try types(after: 0, in: store) == ["user.registered", "email.verified", "identity.linked", "login.succeeded", "session.created"])
            // The identity's email is stored sealed under the user's key, and opened for readers.
            let linked = try store.read { try ExternalLogin.identities(ofUser: first.userID, in: $0.state) }
            #expect(linked.count == 1 && linked[0].record.email.map(PersonalDataVault.isSealed) == true)
            let opened = try store.query { try $0.identities(ofUser: first.userID) }
            #expect(opened.first?.record.email == Self.identity().email)
            let seq = try store.head().seq
            guard case .session(let second) = try await store.run(login(store, Self.identity())) else {
                Issue.record("no session")
                return
            }
            #expect(second.userID == first.userID)
            #expect(try types(after: seq, in: store) == ["login.succeeded", "session.created"])
        }
    }

    @Test func signupDisabledAndMissingEmailAreRefusedWithLoginFailed() async throws {
        try await withStore { (store: EventStore) async throws in
            #expect(try await store.run(login(store, Self.identity(), allowSignup: false)) == .refused(reason: "signup_disabled"))
            #expect(try await store.run(login(store, Self.identity(email: nil))) == .refused(reason: "email_missing"))
            #expect(try types(after: 0, in: store) == ["login.failed", "login.failed"])
        }
    }

    @Test func autoLinkNeedsBothSidesVerified() async throws {
        try await withStore { (store: EventStore) async throws in
            // A password account: its email is not verified, so no provider links to it.
            _ = try await store.run(RegisterUser(userID: Identifier.user(), email: "bob@example.com", passwordHash: "h", request: .none))
            #expect(
                try await store.run(login(store, Self.identity(subject: "b", email: "bob@example.com")))
                    == .refused(reason: "email_unverified_conflict"))
            // An account made by a verified external login: a second provider vouching for the email links to it...
            guard case .session(let made) = try await store.run(login(store, Self.identity(subject: "a"))) else { return }
            guard case .session(let linked) = try await store.run(login(store, Self.identity(subject: "x", provider: "other"))) else {
                Issue.record("not linked")
                return
            }
            #expect(linked.userID == made.userID)
            // ...but one that does not vouch for it is refused.
            #expect(
                try await store.run(login(store, Self.identity(subject: "y", verified: false, provider: "third")))
                    == .refused(reason: "email_unverified_conflict"))
            let identities = try store.query { try $0.identities(ofUser: made.userID) }
            // Linked at the same instant (the clock stands still), so in no particular order.
            #expect(Set(identities.map(\.record.provider)) == ["acme", "other"])
        }
    }

    @Test func secondFactorIsNeverSkipped() async throws {
        try await withStore { (store: EventStore) async throws in
            guard case .session(let made) = try await store.run(login(store, Self.identity())) else { return }
            let sealed: [UInt8] = Array(repeating: 1, count: 48)
            try await store.run(
                StartTOTPEnrollment(userID: made.userID, sealedSecret: sealed, expiresAt: store.clock.now().adding(seconds: 600), request: .none))
            _ = try await store.run(
                ConfirmTOTP(
                    userID: made.userID, sealedSecret: sealed, step: 1, backupSetID: Identifier.backupCodeSet(),
                    backupHashes: [Array(repeating: 2, count: 32)], request: .none))
            let seq = try store.head().seq
            #expect(try await store.run(login(store, Self.identity())) == .mfaRequired(userID: made.userID))
            #expect(try await store.run(login(store, Self.identity(), mode: "token")) == .mfaRequired(userID: made.userID))
            #expect(try types(after: seq, in: store) == ["login.mfa_required", "login.mfa_required"])
        }
    }

    @Test func loginCodeIsSingleUse() async throws {
        try await withStore { (store: EventStore) async throws in
            let table = try FlowState.table(in: store)
            let code = OpaqueToken.generate()
            var command = login(store, Self.identity(), mode: "token")
            command.finish = .loginCode(IssueFlowState(table: table, key: code.hash, kind: .oauthLoginCode, payload: [], lifetime: 60))
            guard case .loginCode(let userID) = try await store.run(command) else {
                Issue.record("no login code")
                return
            }
            func redeem() -> RedeemLoginCode {
                RedeemLoginCode(
                    consume: ConsumeFlowState(table: table, key: code.hash, kind: .oauthLoginCode),
                    session: CreateSession(
                        userID: "", sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "oidc", aal: "aal1",
                        mode: "token", lifetime: 86_400, idleTimeout: 3_600, refresh: nil, request: .none))
            }
            #expect(try await store.run(redeem())?.userID == userID)
            #expect(try await store.run(redeem()) == nil)
        }
    }

    @Test func explicitLinkAndUnlinkRules() async throws {
        try await withStore { (store: EventStore) async throws in
            guard case .session(let made) = try await store.run(login(store, Self.identity())) else { return }
            let bob = Identifier.user()
            _ = try await store.run(RegisterUser(userID: bob, email: "bob@example.com", passwordHash: "h", request: .none))
            // Linked to another user: refused, nothing recorded.
            let seq = try store.head().seq
            #expect(
                try await store.run(LinkIdentity(userID: bob, identityID: Identifier.identity(), identity: Self.identity(), request: .none))
                    == .linkedElsewhere)
            #expect(try store.head().seq == seq)
            let other = Self.identity(subject: "bob-at-other", email: "bob@example.com", provider: "other")
            #expect(try await store.run(LinkIdentity(userID: bob, identityID: Identifier.identity(), identity: other, request: .none)) == .linked)
            #expect(try await store.run(LinkIdentity(userID: bob, identityID: Identifier.identity(), identity: other, request: .none)) == .alreadyLinked)
            // The signup user's only identity is their last way to log in; bob has a password.
            let madeIdentity = try store.query { try $0.identities(ofUser: made.userID) }[0]
            #expect(try await store.run(UnlinkIdentity(userID: made.userID, identityID: madeIdentity.id, request: .none)) == .lastLoginMethod)
            #expect(try await store.run(UnlinkIdentity(userID: bob, identityID: madeIdentity.id, request: .none)) == .notFound)
            let bobIdentity = try store.query { try $0.identities(ofUser: bob) }[0]
            #expect(try await store.run(UnlinkIdentity(userID: bob, identityID: bobIdentity.id, request: .none)) == .unlinked)
            #expect(try store.query { try $0.identities(ofUser: bob) }.isEmpty)
            // Unlinked, the identity is free again: a new login through it is a new decision (bob's email is unverified).
            #expect(try await store.run(login(store, other)) == .refused(reason: "email_unverified_conflict"))
        }
    }
}
