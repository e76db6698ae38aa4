@testable import AuthCore
import AuthCrypto
import EventLog
import ProjectionRebuild
import Foundation
import LMDB
import TestSupport
import Testing

/// Personal data sealed under per-user keys (``PersonalDataVault``), against a real store: what reaches the files,
/// lookups through the keyed hash, rebuild without keys, a destroyed key, and the upgrade of a log written before.
@Suite("Crypto-shredding", .serialized)
struct CryptoShreddingTests {
    static let email = "shred.target@example.org"
    static let agent = "ShredProbe/7.3 (X11; unique-agent-7f3a9)"
    static let ip = "203.0.113.177"
    static let request = RequestInfo(requestID: "req_shred", clientIP: ip, userAgent: agent)

    /// A store with the vault installed, in a fresh directory.
    struct Log {
        let directory: TemporaryDirectory
        let store: EventStore
        let vault: PersonalDataVault
        let clock = ManualClock()

        init(_ name: String) throws {
            directory = try TemporaryDirectory(name)
            store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
            vault = try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        }

        func close() {
            store.close()
            directory.remove()
        }

        /// Registers a user and logs them in (a session with a refresh family) with ``request``.
        func registerAndLogIn(_ userID: String = Identifier.user(), email: String = CryptoShreddingTests.email) throws -> String {
            _ = try store.runSync(RegisterUser(userID: userID, email: email, passwordHash: "$argon2id$x", request: CryptoShreddingTests.request))
            clock.advance(seconds: 60)
            _ = try store.runSync(
                CreateSession(
                    userID: userID, sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "password",
                    aal: "aal1", mode: "token", lifetime: 86_400, idleTimeout: 3_600,
                    refresh: CreateSession.Refresh(familyID: Identifier.family(), tokenHash: OpaqueToken.generate().hash, lifetime: 86_400),
                    request: CryptoShreddingTests.request))
            return userID
        }
    }

    /// How often `needle` occurs in the files under `directory` (recursively).
    static func occurrences(of needle: String, under directory: String) throws -> [String: Int] {
        let bytes = Data(needle.utf8)
        var found: [String: Int] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory))
        for case let path as String in enumerator {
            let full = directory + "/" + path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            var count = 0
            var start = data.startIndex
            while let range = data.range(of: bytes, in: start..<data.endIndex) {
                count += 1
                start = range.upperBound
            }
            if count > 0 { found[path] = count }
        }
        return found
    }

    @Test("no file of the data directory holds the address, the user agent or the IP; the store still finds and opens them")
    func plaintextNeverReachesTheFiles() throws {
        let log = try Log("shred-files")
        defer { log.close() }
        let userID = try log.registerAndLogIn()
        // Found through the keyed hash; the address and the session's origin open with the user's key.
        let found = try #require(try log.store.query { try $0.user(email: Self.email) })
        #expect(found.id == userID && found.email == Self.email)
        let session = try #require(try log.store.query { try $0.sessions(ofUser: userID, at: log.clock.now()) }.first)
        #expect(PersonalDataVault.isSealed(try #require(session.record.userAgent)))
        let origin = try log.store.query { try $0.origin(of: session.record) }
        #expect(origin.clientIP == Self.ip && origin.userAgent == Self.agent)
        // Every event of the user's stream is stored sealed and opens to the request as sent.
        try log.store.query { queries in
            for seq in try queries.context.seqs(in: StreamRef(.user, userID)) {
                let event = try #require(try queries.context.event(seq))
                #expect(event.request.clientIP.map(PersonalDataVault.isSealed) == true, "\(event.type)")
                #expect(try queries.request(of: event) == Self.request, "\(event.type)")
            }
        }
        // A rebuild (which has no keys) gives the live tables.
        #expect(try Rebuilder.rebuild(store: log.store).differingTables.isEmpty)
        log.store.close()
        for needle in [Self.email, Self.agent, Self.ip] {
            #expect(try Self.occurrences(of: needle, under: log.directory.path).isEmpty, "\(needle)")
        }
    }

    @Test("a destroyed key erases the user's data: chain and rebuild intact, readers show [erased], the backup lacks the key")
    func destroyedKeyErases() throws {
        let log = try Log("shred-destroy")
        defer { log.close() }
        let userID = try log.registerAndLogIn()
        let other = try log.registerAndLogIn(Identifier.user(), email: "bystander@example.org")
        let sealedKey = try #require(try log.store.read { try $0.get(log.vault.table, key: Array(userID.utf8)) })
        #expect(sealedKey.count == 12 + 32 + 16)
        try log.store.executeSync { context in try log.vault.destroyKey(userID: userID, in: context) }
        // An event appended about the user afterwards keeps no request data.
        log.clock.advance(seconds: 60)
        _ = try log.store.runSync(RevokeSessions(userID: userID, keep: nil, reason: "test", request: Self.request))
        try log.store.query { queries in
            #expect(try queries.keyState(userID: userID) == .destroyed)
            #expect(try queries.user(id: userID)?.email == PersonalDataVault.erased)
            #expect(try queries.user(email: "bystander@example.org")?.id == other)
            for seq in try queries.context.seqs(in: StreamRef(.user, userID)) {
                let event = try #require(try queries.context.event(seq))
                let request = try queries.request(of: event)
                #expect(request.clientIP == nil || request.clientIP == PersonalDataVault.erased, "\(event.type)")
                #expect(request.userAgent == nil || request.userAgent == PersonalDataVault.erased, "\(event.type)")
                #expect(try queries.sealedPayloadText(of: event)["email"] ?? PersonalDataVault.erased == PersonalDataVault.erased)
            }
            // The bystander's data still opens.
            for seq in try queries.context.seqs(in: StreamRef(.user, other)) {
                let event = try #require(try queries.context.event(seq))
                #expect(try queries.request(of: event) == Self.request)
            }
        }
        let verified = try LogVerifier.verify(environment: log.store.environment, projections: log.store.projections)
        #expect(verified.ok)
        #expect(try Rebuilder.rebuild(store: log.store).differingTables.isEmpty)
        // A compacting copy does not carry the destroyed key's bytes.
        let backup = try TemporaryDirectory("shred-backup")
        defer { backup.remove() }
        try log.store.environment.copy(toFile: backup.path + "/data.mdb", compact: true)
        let copied = try Data(contentsOf: URL(fileURLWithPath: backup.path + "/data.mdb"))
        #expect(copied.range(of: Data(sealedKey)) == nil)
        #expect(copied.range(of: Data(Self.email.utf8)) == nil)
    }

    @Test("registering a taken address is refused through the keyed hash, whatever its spelling at normalisation")
    func registrationConflict() throws {
        let log = try Log("shred-conflict")
        defer { log.close() }
        _ = try log.registerAndLogIn()
        #expect(throws: AuthError.emailTaken) {
            _ = try log.store.runSync(RegisterUser(userID: Identifier.user(), email: Self.email, passwordHash: "$argon2id$y", request: .none))
        }
        #expect(throws: PersonalDataVault.NotInstalled.self) {
            let bare = try TemporaryDirectory("shred-bare")
            defer { bare.remove() }
            let store = try EventStore(path: bare.path, projections: DomainProjections.all, clock: ManualClock())
            defer { store.close() }
            _ = try store.runSync(RegisterUser(userID: Identifier.user(), email: Self.email, passwordHash: "$argon2id$y", request: .none))
        }
    }

    /// A log as today's main wrote it: `user.registered` v2 with the plaintext address, request data in plaintext.
    static func legacyRegistration(_ userID: String, email: String) -> PendingEvent {
        var payload = PayloadWriter()
        payload.add("user_id", userID)
        payload.add("email", email)
        payload.add("password_hash", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        return PendingEvent(
            type: UserRegistered.type, version: 2, actor: .user(userID), request: request, streams: [StreamRef(.user, userID)],
            payload: payload.bytes)
    }

    @Test("the upgrade seals users of an older log going forward; their older events keep what they held")
    func upgradeSealsExistingUsers() throws {
        let directory = try TemporaryDirectory("shred-upgrade")
        defer { directory.remove() }
        let userID = Identifier.user()
        do {
            // Written without a vault, as before sealing existed.
            let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: ManualClock())
            defer { store.close() }
            _ = try store.executeSync { context in try context.emit(Self.legacyRegistration(userID, email: Self.email)) }
            #expect(try store.query { try $0.user(email: Self.email) }?.id == userID)
        }
        let clock = ManualClock()
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory.path))
        #expect(try SealExistingUsers.sealAll(store: store, limit: 1) == 1)
        #expect(try SealExistingUsers.sealAll(store: store) == 0, "nothing left to seal")
        // Found through the hash; the plaintext key is gone from by_email.
        let found = try #require(try store.query { try $0.user(email: Self.email) })
        #expect(found.id == userID && found.email == Self.email && found.record.plaintextEmail == nil)
        #expect(try store.read { try $0.state.table(UsersProjection(), "by_email").get(Key.of(Self.email)) } == nil)
        // New events of the user are sealed; the login works through the usual commands.
        clock.advance(seconds: 60)
        _ = try store.runSync(
            CreateSession(
                userID: userID, sessionID: Identifier.session(), tokenHash: OpaqueToken.generate().hash, method: "password", aal: "aal1",
                mode: "cookie", lifetime: 86_400, idleTimeout: 3_600, refresh: nil, request: Self.request))
        let events = try store.read { context in try context.seqs(in: StreamRef(.user, userID)).map { try #require(try context.event($0)) } }
        #expect(events.map(\.type) == [UserRegistered.type, UserPersonalDataSealed.type, LoginSucceeded.type, SessionCreated.type])
        #expect(events[0].request.userAgent == Self.agent, "the older event keeps its plaintext")
        #expect(events[2...].allSatisfy { $0.request.userAgent.map(PersonalDataVault.isSealed) == true })
        #expect(try Rebuilder.rebuild(store: store).differingTables.isEmpty)
    }

    @Test("fields presealed by the caller are adopted once, under the key still stored; otherwise sealed in the transaction")
    func presealedRequestFields() throws {
        let log = try Log("shred-preseal")
        defer { log.close() }
        let userID = try log.registerAndLogIn()
        let otherID = try log.registerAndLogIn(email: "other.user@example.org")
        func preseal(_ request: RequestInfo, for user: String) throws -> RequestInfo {
            try log.store.read { try log.vault.presealed(request, userID: user, in: $0) }
        }
        /// Emits `count` events of `user` with `request` in one command; returns their stored request fields.
        func emit(_ request: RequestInfo, user: String, count: Int = 1) throws -> [RequestInfo] {
            try log.store.executeSync { context in
                try (0..<count).map { _ in
                    try context.emit(SessionExtended(sessionID: "ses_preseal", userID: user, lastSeenAt: context.now), actor: .user(user), request: request)
                        .request
                }
            }
        }
        func opened(_ stored: RequestInfo, user: String) throws -> [String] {
            let key = try log.store.read { try log.vault.keyState(userID: user, in: $0) }
            return [
                PersonalDataVault.reveal(try #require(stored.clientIP), field: .clientIP, userID: user, key: key),
                PersonalDataVault.reveal(try #require(stored.userAgent), field: .userAgent, userID: user, key: key),
            ]
        }

        let presealed = try preseal(Self.request, for: userID)
        let sealing = try #require(presealed.presealed)
        #expect(PersonalDataVault.isSealed(try #require(sealing.sealedClientIP)) && sealing.sealedUserAgent != nil)

        // Adopted by the first event as it is; the second event of the command is sealed afresh (another nonce).
        let two = try emit(presealed, user: userID, count: 2)
        #expect(two[0].clientIP == sealing.sealedClientIP && two[0].userAgent == sealing.sealedUserAgent)
        #expect(two[1].clientIP != sealing.sealedClientIP && two[1].userAgent != sealing.sealedUserAgent)
        for stored in two { #expect(try opened(stored, user: userID) == [Self.ip, Self.agent]) }

        // Another user's event, or other plaintexts than the sealed ones: sealed in the transaction, not adopted.
        let foreign = try emit(presealed, user: otherID)[0]
        #expect(foreign.clientIP != sealing.sealedClientIP)
        #expect(try opened(foreign, user: otherID) == [Self.ip, Self.agent])
        var changed = presealed
        changed.clientIP = "198.51.100.9"
        let reaimed = try emit(changed, user: userID)[0]
        #expect(reaimed.clientIP != sealing.sealedClientIP)
        #expect(try opened(reaimed, user: userID) == ["198.51.100.9", Self.agent])

        // The key destroyed after the caller sealed: the fields are dropped, as for any event after erasure.
        let late = try preseal(Self.request, for: userID)
        try log.store.executeSync { context in try log.vault.destroyKey(userID: userID, in: context) }
        let erased = try emit(late, user: userID)[0]
        #expect(erased.clientIP == nil && erased.userAgent == nil)
        // Nothing to preseal for a user without a live key.
        #expect(try preseal(Self.request, for: userID).presealed == nil)
    }
}
