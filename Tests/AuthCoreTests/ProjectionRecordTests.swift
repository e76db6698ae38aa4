@testable import AuthCore
import EventLog
import ProjectionRebuild
import TestSupport
import Testing

/// The fixed-layout records of the sessions (v4) and refresh (v2) projections, and the in-place folds that patch
/// them, against a real LMDB store: every step is read back through the live tables and checked against a rebuild.
@Suite("Projection records: fixed binary layout, in-place folds")
struct ProjectionRecordTests {
    static let session = SessionRecord(
        userID: "usr_1", tokenHash: Array(repeating: 7, count: 32), aal: "aal1", mode: "token",
        createdAt: Timestamp(seconds: 1_000), lastSeenAt: Timestamp(seconds: 1_100), expiresAt: Timestamp(seconds: 9_000),
        idleTimeout: 600, clientIP: "10.0.0.1", userAgent: "curl/8.5", familyID: "fam_1", aal2At: Timestamp(seconds: 1_050))

    @Test("records round-trip with every optional field absent and present")
    func roundTrip() throws {
        var bare = Self.session
        bare.clientIP = nil
        bare.userAgent = nil
        bare.familyID = nil
        bare.aal2At = nil
        for record in [Self.session, bare] { #expect(try SessionRecord(bytes: record.bytes) == record) }
        let family = FamilyRecord(sessionID: "ses_1", userID: "usr_1", currentHash: [1, 2, 3], expiresAt: Timestamp(seconds: 5), revokedReason: nil)
        var revoked = family
        revoked.revokedReason = "reuse_detected"
        var chained = revoked
        chained.previousFamilyID = "fam_0"
        for record in [family, revoked, chained] { #expect(try FamilyRecord(bytes: record.bytes) == record) }
        // A user record round-trips, sealed and (before the upgrade) with a plaintext address.
        let user = UserRecord(
            emailHash: [UInt8](repeating: 7, count: 32), sealedEmail: [UInt8](repeating: 8, count: 43),
            passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", createdAt: Timestamp(seconds: 7))
        var legacy = user
        legacy.emailHash = Array("ada@example.com".utf8)
        legacy.sealedEmail = []
        for record in [user, legacy] { #expect(try UserRecord(bytes: record.bytes) == record) }
        #expect(user.plaintextEmail == nil && legacy.plaintextEmail == "ada@example.com")
        // A revocation (or a second one) patched into the stored bytes equals the record re-encoded with it.
        for record in [family, revoked, chained] {
            var expected = record
            expected.revokedReason = "family_revoked"
            let patched = try record.bytes.withUnsafeBytes { try FamilyRecord.settingRevokedReason(Array("family_revoked".utf8), in: $0) }
            #expect(patched == expected.bytes)
        }
        // Likewise a session's refresh family, absent or already set.
        for record in [Self.session, bare] {
            var expected = record
            expected.familyID = "fam_2"
            let patched = try record.bytes.withUnsafeBytes { try SessionRecord.settingFamily(Array("fam_2".utf8), in: $0) }
            #expect(patched == expected.bytes)
        }
        for record in [
            RefreshTokenRecord(familyID: "fam_1", usedAt: nil, usedSeq: nil),
            RefreshTokenRecord(familyID: "fam_1", usedAt: Timestamp(seconds: 3), usedSeq: 42),
            RefreshTokenRecord(familyID: "", usedAt: Timestamp(microseconds: -1), usedSeq: UInt64.max),
        ] {
            #expect(try RefreshTokenRecord(bytes: record.bytes) == record)
            // The rebuild's encoding into temporary memory writes the same bytes.
            let temporary = Array(record.familyID.utf8).withUnsafeBytes { familyID in
                RefreshTokenRecord.withEncoded(familyID: familyID, usedAt: record.usedAt, usedSeq: record.usedSeq) { [UInt8]($0) }
            }
            #expect(temporary == record.bytes)
        }
    }

    @Test("every truncation, a foreign layout byte and trailing bytes are refused, never misread")
    func malformedRecordsThrow() throws {
        // Each encoding with the offset of its first length-prefixed field.
        let encodings: [([UInt8], Int, ([UInt8]) throws -> Void)] = [
            (Self.session.bytes, 42, { _ = try SessionRecord(bytes: $0) }),
            (FamilyRecord(sessionID: "s", userID: "u", currentHash: [9], expiresAt: Timestamp(seconds: 1), revokedReason: "x").bytes, 9,
             { _ = try FamilyRecord(bytes: $0) }),
            (RefreshTokenRecord(familyID: "f", usedAt: nil, usedSeq: 1).bytes, 18, { _ = try RefreshTokenRecord(bytes: $0) }),
        ]
        for (bytes, firstField, decode) in encodings {
            for length in 0..<bytes.count { #expect(throws: EventDecodingError.self) { try decode(Array(bytes[..<length])) } }
            #expect(throws: EventDecodingError.self) { try decode(bytes + [0]) }
            var foreign = bytes
            foreign[0] = 0xA5
            #expect(throws: EventDecodingError.self) { try decode(foreign) }
            // A length field pointing past the end.
            var long = bytes
            long.replaceSubrange(firstField..<(firstField + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
            #expect(throws: EventDecodingError.self) { try decode(long) }
        }
    }

    @Test("a session's and a family's life, folded in place live, equals the rebuild after every event")
    func inPlaceFoldsMatchRebuild() throws {
        let dir = try TemporaryDirectory("records")
        defer { dir.remove() }
        let clock = ManualClock()
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        let request = RequestInfo(requestID: "req_1", clientIP: "192.0.2.7", userAgent: "Mozilla/5.0 (test)")
        let token = Array(repeating: UInt8(0x11), count: 32)
        let first = Array(repeating: UInt8(0x21), count: 32)
        let second = Array(repeating: UInt8(0x22), count: 32)
        let third = Array(repeating: UInt8(0x23), count: 32)
        let created = clock.now()
        let steps: [PendingEvent] = [
            SessionCreated(sessionID: "ses_a", userID: "usr_a", tokenHash: token, aal: "aal1", mode: "token",
                expiresAt: created.adding(seconds: 86_400), idleTimeout: 3_600).pending(actor: .user("usr_a"), request: request),
            RefreshFamilyStarted(familyID: "fam_a", sessionID: "ses_a", userID: "usr_a", tokenHash: first,
                expiresAt: created.adding(seconds: 86_400)).pending(actor: .user("usr_a"), request: request),
            SessionExtended(sessionID: "ses_a", userID: "usr_a", lastSeenAt: created.adding(seconds: 120))
                .pending(actor: .user("usr_a"), request: request),
            RefreshRotated(familyID: "fam_a", sessionID: "ses_a", userID: "usr_a", parentHash: first, childHash: second, grace: false)
                .pending(actor: .user("usr_a"), request: request),
            RefreshRotated(familyID: "fam_a", sessionID: "ses_a", userID: "usr_a", parentHash: first, childHash: third, grace: true)
                .pending(actor: .user("usr_a"), request: request),
            SessionSteppedUp(sessionID: "ses_a", userID: "usr_a", method: "totp").pending(actor: .user("usr_a"), request: request),
            RefreshFamilyRevoked(familyID: "fam_a", sessionID: "ses_a", userID: "usr_a", reason: "logout")
                .pending(actor: .user("usr_a"), request: request),
        ]
        var seqs: [UInt64] = []
        for event in steps {
            clock.advance(microseconds: 1_000_000)
            let recorded = try store.executeSync { context in try context.emit(event) }
            seqs.append(recorded.seq)
            let verified = try LogVerifier.verify(environment: store.environment, projections: store.projections)
            #expect(verified.ok, "live state differs from the rebuild after \(event.type)")
        }

        let sessions = SessionsProjection()
        let refresh = RefreshProjection()
        try store.read { context in
            let record = try #require(try context.state.table(sessions, "by_id").record(SessionRecord.self, Key.of("ses_a")))
            #expect(record.userID == "usr_a" && record.tokenHash == token && record.mode == "token")
            #expect(record.clientIP == "192.0.2.7" && record.userAgent == "Mozilla/5.0 (test)")
            #expect(record.createdAt == Timestamp(microseconds: created.microseconds + 1_000_000))
            #expect(record.lastSeenAt == created.adding(seconds: 120))
            #expect(record.familyID == "fam_a")
            #expect(record.aal == "aal2" && record.aal2At == Timestamp(microseconds: created.microseconds + 6_000_000))
            let checkBytes = try #require(try context.state.table(sessions, "by_token").get(token))
            let check = try #require(SessionCheck(bytes: checkBytes))
            #expect(check.sessionID == "ses_a")
            #expect(check.idleExpiresAt == created.adding(seconds: 120 + 3_600))
            #expect(check.expiresAt == record.expiresAt)

            let family = try #require(try context.state.table(refresh, "families").record(FamilyRecord.self, Key.of("fam_a")))
            #expect(family.currentHash == third)
            #expect(family.revokedReason == "logout")
            let tokens = context.state.table(refresh, "tokens")
            let used = try #require(try tokens.record(RefreshTokenRecord.self, first))
            // The grace re-exchange did not mark the parent again: it keeps the first rotation's time and seq.
            #expect(used.usedSeq == seqs[3] && used.usedAt == Timestamp(microseconds: created.microseconds + 4_000_000))
            #expect(try tokens.record(RefreshTokenRecord.self, second) == RefreshTokenRecord(familyID: "fam_a", usedAt: nil, usedSeq: nil))
            #expect(try tokens.record(RefreshTokenRecord.self, third)?.usedAt == nil)
        }

        clock.advance(microseconds: 1_000_000)
        _ = try store.executeSync { context in
            try context.emit(SessionRevoked(sessionID: "ses_a", userID: "usr_a", reason: "logout").pending(actor: .user("usr_a"), request: request))
        }
        let remaining = try store.read { context in
            [
                try context.state.table(sessions, "by_id").get(Key.of("ses_a")),
                try context.state.table(sessions, "by_token").get(token),
                try context.state.table(sessions, "by_user").get(Key.pair("usr_a", "ses_a")),
            ]
        }
        #expect(remaining.allSatisfy { $0 == nil })
        let live = try Digest.live(store: store)
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables.isEmpty)
        #expect(try Digest.live(store: store) == live)
    }

    @Test("random session and family events, odd ones included, fold live exactly as the rebuild folds them")
    func randomEventsFoldLikeTheRebuild() throws {
        let dir = try TemporaryDirectory("records-random")
        defer { dir.remove() }
        let clock = ManualClock()
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        var rng = SplitMix64(seed: 7)
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        func hash() -> [UInt8] { (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        // Few ids, so that events meet: unknown sessions and families, a session id created again, a family set
        // twice on a session, rotations
        // of another family's token, a token hash of another length, revocations twice, empty and long user agents.
        let sessions = (0..<12).map { "ses_\($0)" }
        let families = (0..<8).map { "fam_\($0)" }
        var tokens: [[UInt8]] = [hash(), hash(), [1, 2, 3]]
        let agents: [String?] = [nil, "", "curl/8.5", String(repeating: "Mozilla/5.0 ", count: 40)]
        var kinds: [String: Int] = [:]
        for round in 0..<40 {
            var pending: [PendingEvent] = []
            for _ in 0..<25 {
                let session = pick(sessions), family = pick(families), user = "usr_\(rng.next() % 3)"
                let request = RequestInfo(requestID: nil, clientIP: pick(["10.0.0.1", nil, "2001:db8::1"]), userAgent: pick(agents))
                let event: PendingEvent
                switch rng.next() % 9 {
                case 0:
                    // A fresh token hash: one held by another session is refused (see `sessionTokenHashIsOneSessions`).
                    event = SessionCreated(sessionID: session, userID: user, tokenHash: hash(), aal: pick(["aal1", "aal2"]),
                        mode: pick(["token", "cookie"]), expiresAt: clock.now().adding(seconds: 3_600), idleTimeout: Int64(rng.next() % 900))
                        .pending(actor: .user(user), request: request)
                case 1:
                    event = SessionExtended(sessionID: session, userID: user, lastSeenAt: clock.now()).pending(actor: .user(user), request: request)
                case 2:
                    event = SessionRevoked(sessionID: session, userID: user, reason: "logout").pending(actor: .user(user), request: request)
                case 3:
                    event = SessionSteppedUp(sessionID: session, userID: user, method: "totp").pending(actor: .user(user), request: request)
                case 4, 5:
                    let child = rng.next() % 10 == 0 ? [9, 9] : hash()
                    tokens.append(child)
                    event = RefreshRotated(familyID: family, sessionID: session, userID: user, parentHash: pick(tokens), childHash: child,
                        grace: rng.next() % 4 == 0).pending(actor: .user(user), request: request)
                case 6:
                    event = RefreshFamilyRevoked(familyID: family, sessionID: session, userID: user, reason: pick(["logout", "reuse_detected"]))
                        .pending(actor: .system, request: request)
                default:
                    let token = hash()
                    tokens.append(token)
                    event = RefreshFamilyStarted(familyID: family, sessionID: session, userID: user, tokenHash: token,
                        expiresAt: clock.now().adding(seconds: 7_200)).pending(actor: .user(user), request: request)
                }
                kinds[event.type, default: 0] += 1
                pending.append(event)
            }
            clock.advance(microseconds: Int64(1 + rng.next() % 5_000_000))
            let events = pending
            _ = try store.executeSync { context in for event in events { try context.emit(event) } }
            if round % 8 == 7 {
                let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
                #expect(report.ok, "live state differs from the rebuild after round \(round)")
            }
        }
        #expect(kinds.count == 7)
        let live = try Digest.live(store: store)
        #expect(try Rebuilder.rebuild(store: store).differingTables.isEmpty)
        #expect(try Rebuilder.rebuild(store: store, mode: .rewrite).events == (try store.head().seq))
        #expect(try Digest.live(store: store) == live)
    }

    @Test("a session token hash belongs to one session: taken again it is refused; free again after the revocation")
    func sessionTokenHashIsOneSessions() throws {
        let dir = try TemporaryDirectory("records-token")
        defer { dir.remove() }
        let clock = ManualClock()
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        let request = RequestInfo(requestID: nil, clientIP: "10.0.0.1", userAgent: "tests")
        let token = Array(repeating: UInt8(0x5A), count: 32)
        func created(_ session: String, _ user: String) -> PendingEvent {
            SessionCreated(sessionID: session, userID: user, tokenHash: token, aal: "aal1", mode: "token",
                           expiresAt: clock.now().adding(seconds: 3_600), idleTimeout: 600).pending(actor: .user(user), request: request)
        }
        let createdA = created("ses_a", "usr_a"), createdB = created("ses_b", "usr_b")
        let revokedA = SessionRevoked(sessionID: "ses_a", userID: "usr_a", reason: "logout").pending(actor: .user("usr_a"), request: request)
        _ = try store.executeSync { context in try context.emit(createdA) }
        let head = try store.head().seq
        #expect(throws: EventStoreError.derivedKeyTaken(table: SessionsProjection().databaseName("by_token"))) {
            _ = try store.executeSync { context in try context.emit(createdB) }
        }
        // Nothing was appended; the same session created again keeps its token (its old entries are replaced).
        #expect(try store.head().seq == head)
        _ = try store.executeSync { context in try context.emit(createdA) }
        _ = try store.executeSync { context in try context.emit(revokedA) }
        _ = try store.executeSync { context in try context.emit(createdB) }
        let live = try Digest.live(store: store)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
        #expect(try Rebuilder.rebuild(store: store).differingTables.isEmpty)
        #expect(try Digest.live(store: store) == live)
        let sessions = SessionsProjection()
        try store.read { context in
            let check = try #require(try context.state.table(sessions, "by_token").get(token).flatMap(SessionCheck.init(bytes:)))
            #expect(check.sessionID == "ses_b")
            #expect(try context.state.table(sessions, "by_user").get(Key.pair("usr_a", "ses_a")) == nil)
        }
    }
}
