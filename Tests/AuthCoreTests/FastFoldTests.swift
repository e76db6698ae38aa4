@testable import AuthCore
import EventLog
import LMDB
@testable import ProjectionRebuild
import TestSupport
import Testing

/// The fast folds (`Projections/FastFolds/`) against the plain reducers they speed up, over generated logs.
@Suite("Fast folds equal the plain reducers")
struct FastFoldTests {
    @Test("over generated logs of every event type (user.registered v1 and v2 too): fast fold == plain reducer == live", arguments: [1, 2, 3])
    func generatedLogs(seed: UInt64) throws {
        let dir = try TemporaryDirectory("fast-fold")
        defer { dir.remove() }
        var options = EventStore.Options()
        options.environment.noSync = true
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock(), options: options)
        defer { store.close() }
        var generator = LogGenerator(seed: seed)
        var appended = 0, refused = 0
        var typesAppended = Set<String>()
        for _ in 0..<1_500 {
            let event = try generator.next()
            do {
                try store.executeSync { context in _ = try context.emit(event) }
                appended += 1
                typesAppended.insert("\(event.type) v\(event.version)")
            } catch {
                // The live reducers refuse some generated events (a token hash another session holds): not logged.
                refused += 1
            }
        }
        // Every type of the catalog, and the old version of the upcast one, made it into the log.
        let wanted = Set(EventCatalog.all.map { "\($0.type) v\($0.version)" } + ["\(UserRegistered.type) v1"])
        #expect(wanted.subtracting(typesAppended).isEmpty, "never appended: \(wanted.subtracting(typesAppended).sorted())")
        #expect(appended > 1_000)
        let nonEmpty = try Self.expectFastEqualsPlain(store)
        #expect(nonEmpty >= store.projections.filter { !($0 is StreamIndex) }.databaseNames.count - 2)
    }

    @Test("user.deleted removes the user's refresh families (revoked, rotated, several) in the fast fold as in apply")
    func userDeletedFollowsTheFamilyChain() throws {
        let dir = try TemporaryDirectory("fast-fold-deleted")
        defer { dir.remove() }
        var options = EventStore.Options()
        options.environment.noSync = true
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock(), options: options)
        defer { store.close() }
        let expiry = Timestamp(seconds: 2_000_000_000)
        func hash(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }
        var events: [any DomainEvent] = []
        for (index, user) in ["usr_a", "usr_b", "usr_a", "usr_a"].enumerated() {
            events.append(RefreshFamilyStarted(
                familyID: "fam_\(index)", sessionID: "ses_\(index)", userID: user, tokenHash: hash(UInt8(index)), expiresAt: expiry))
        }
        events.append(RefreshRotated(familyID: "fam_2", sessionID: "ses_2", userID: "usr_a", parentHash: hash(2), childHash: hash(9), grace: false))
        events.append(RefreshFamilyRevoked(familyID: "fam_0", sessionID: "ses_0", userID: "usr_a", reason: "logout"))
        events.append(UserDeleted(userID: "usr_a", reason: "user"))
        events.append(RefreshFamilyStarted(familyID: "fam_4", sessionID: "ses_4", userID: "usr_a", tokenHash: hash(4), expiresAt: expiry))
        for event in events {
            try store.executeSync { context in _ = try context.emit(event.pending(actor: .system, request: .none)) }
        }
        _ = try Self.expectFastEqualsPlain(store)
        // Only usr_b's family and the family usr_a started after the deletion (its chain starts over) are left.
        let families = try store.read { context in
            try context.state.table(RefreshProjection(), "families").entries(prefix: []).map { String(decoding: $0.key, as: UTF8.self) }
        }
        #expect(families == ["fam_1", "fam_4"])
        let chain = try store.read { try $0.state.table(RefreshProjection(), "families").record(FamilyRecord.self, Key.of("fam_4")) }
        #expect(chain?.previousFamilyID == nil)
    }

    /// Folds the store's log fast (in one pass and with a catch-up) and plain, expects the same tables, equal to the
    /// live ones and to a rebuild; returns the number of non-empty tables.
    private static func expectFastEqualsPlain(_ store: EventStore) throws -> Int {
        let projections = store.projections
        let names = projections.filter { !($0 is StreamIndex) }.databaseNames
        let head = try store.head().seq
        let (fast, caughtUp, plain) = try store.environment.read { txn in
            // In one pass (derived tables filled after it), in two (the second a catch-up with them kept), and
            // through `apply` alone.
            let fast = RebuildState(projections: projections, buildIndex: false)
            try fast.fold(txn: txn, log: store.tables.log, last: head, parallel: true, progress: nil)
            let caughtUp = RebuildState(projections: projections, buildIndex: false)
            try caughtUp.fold(txn: txn, log: store.tables.log, last: head / 2, parallel: false, progress: nil)
            try caughtUp.fold(txn: txn, log: store.tables.log, last: head, parallel: false, progress: nil)
            let plain = RebuildState(projections: projections, buildIndex: false, fastFolds: false)
            try plain.fold(txn: txn, log: store.tables.log, last: head, parallel: true, progress: nil)
            return (fast, caughtUp, plain)
        }
        #expect(fast.folded.contains { $0.fast != nil } && !plain.folded.contains { $0.fast != nil })
        var nonEmpty = 0
        for name in names {
            let reference = try Self.entries(plain, name)
            if !reference.isEmpty { nonEmpty += 1 }
            #expect(try Self.entries(fast, name) == reference, "\(name): fast fold differs from the plain reducer")
            #expect(try Self.entries(caughtUp, name) == reference, "\(name): fast fold with a catch-up differs from the plain reducer")
            let live = try store.environment.read { txn in
                var out: [[UInt8]] = []
                try txn.forEach(store.databases[name]!) { key, value in
                    out.append(key + [0xFF] + value)
                    return true
                }
                return out
            }
            #expect(live == reference.map { $0.key + [0xFF] + $0.value }, "\(name): live differs from the plain reducer")
        }
        // And the rebuild as authctl runs it: live == rebuilt, nothing to repair.
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables.isEmpty)
        #expect(report.patchedEntries == 0)
        return nonEmpty
    }

    private struct Entry: Equatable {
        let key: [UInt8]
        let value: [UInt8]
    }

    private static func entries(_ state: RebuildState, _ name: String) throws -> [Entry] {
        var out: [Entry] = []
        try state.forEachSortedEntry(name) { key, value in out.append(Entry(key: [UInt8](key), value: [UInt8](value))) }
        return out
    }
}

/// Random events of every type in ``EventCatalog``, with ids and hashes drawn from small pools so that events meet
/// the same users, sessions, families and tokens (created again, extended, rotated, revoked, in any order), and
/// `user.registered` in its old version 1 too.
struct LogGenerator {
    private var state: UInt64
    /// The types the projections fold most, drawn more often.
    private static let hot: [any DomainEvent.Type] = [
        SessionCreated.self, SessionExtended.self, SessionRevoked.self, SessionTokenRotated.self, SessionSteppedUp.self,
        RefreshFamilyStarted.self, RefreshRotated.self, RefreshFamilyRevoked.self, UserRegistered.self,
    ]

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

    mutating func random(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    mutating func next() throws -> PendingEvent {
        let request = random(3) == 0 ? RequestInfo.none
            : RequestInfo(requestID: "req-\(random(1000))", clientIP: "10.0.0.\(random(4))", userAgent: random(2) == 0 ? nil : "agent \(random(3))")
        if random(40) == 0 { return userRegisteredV1(request: request) }
        let type = random(2) == 0 ? EventCatalog.all[random(EventCatalog.all.count)] : Self.hot[random(Self.hot.count)]
        return try make(type, request: request)
    }

    private mutating func make<E: DomainEvent>(_ type: E.Type, request: RequestInfo) throws -> PendingEvent {
        var writer = PayloadWriter()
        for field in E.payloadFields.map(\.descriptor) {
            if field.isOptional, random(2) == 0 { continue }
            switch field.kind {
            case .text: writer.add(field.name, text(field.name))
            case .bytes: writer.add(field.name, bytes: bytes(field.name))
            case .int where field.name.hasSuffix("_at"): writer.add(field.name, Int64(1_767_225_600_000_000 + random(1_000_000_000_000)))
            case .int: writer.add(field.name, Int64(random(1_000_000)))
            case .uint: writer.add(field.name, UInt64(random(1_000)))
            case .bool: writer.add(field.name, random(2) == 0)
            case .textArray: writer.add(field.name, (0..<random(3)).map { _ in text("item") })
            }
        }
        let event = try E(fields: PayloadReader(writer.bytes))
        return event.pending(actor: random(2) == 0 ? .system : .user(text("user_id")), request: request)
    }

    private mutating func userRegisteredV1(request: RequestInfo) -> PendingEvent {
        let userID = text("user_id")
        var v1 = PayloadWriter()
        v1.add("user_id", userID)
        v1.add("email", text("email"))
        v1.add("argon2", text("password_hash"))
        return PendingEvent(
            type: UserRegistered.type, version: 1, actor: .anonymous, request: request, streams: [StreamRef(.user, userID)],
            payload: v1.bytes)
    }

    /// A text value for field `name`: ids (and emails) from pools of a few, the rest from a few words.
    private mutating func text(_ name: String) -> String {
        switch name {
        case "aal": return ["aal1", "aal2"][random(2)]
        case "email": return "user\(random(5))@example.com"
        case let id where id.hasSuffix("_id"): return "\(id.dropLast(3))_\(random(6))"
        default: return ["a", "bb", "reason-\(random(3))", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"][random(4)]
        }
    }

    /// Bytes for field `name`: hashes (32 bytes) from a pool of eight, lists of them, or a few random bytes.
    private mutating func bytes(_ name: String) -> [UInt8] {
        if name.hasSuffix("hashes") { return (0..<random(4)).flatMap { _ in hash() } }
        if name.contains("hash") { return hash() }
        return (0..<(1 + random(40))).map { _ in UInt8(random(256)) }
    }

    private mutating func hash() -> [UInt8] { [UInt8](repeating: UInt8(random(8)), count: 32) }
}
