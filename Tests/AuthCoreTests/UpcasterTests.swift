@testable import AuthCore
import EventLog
import ProjectionRebuild
import TestSupport
import Testing

@Suite("Event versioning")
struct UpcasterTests {
    @Test("a stored user.registered v1 (field `argon2`) decodes into the current type through the upcaster")
    func userRegisteredV1() async throws {
        let dir = try TemporaryDirectory("upcast")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        var v1 = PayloadWriter()
        v1.add("user_id", "usr_legacyuser01")
        v1.add("email", "old@example.com")
        v1.add("argon2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        let legacy = PendingEvent(
            type: UserRegistered.type, version: 1, actor: .anonymous, request: .none,
            streams: [StreamRef(.user, "usr_legacyuser01")], payload: v1.bytes)
        let recorded = try await store.append([legacy])[0]
        #expect(recorded.version == 1)
        let decoded = try UserRegistered(recorded)
        #expect(decoded == UserRegistered(
                userID: "usr_legacyuser01", emailHash: Array("old@example.com".utf8), sealedEmail: [],
                passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"))
        #expect(decoded.plaintextEmail == "old@example.com")
        // The projection built from the v1 event serves the current shape.
        let user = try store.read { context in
            try context.state.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of("usr_legacyuser01"))
        }
        #expect(user?.passwordHash == "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        // A rebuild folds v1 through the upcaster and the current version in place: the same tables as live.
        _ = try await store.append([UserRegistered.example.pending(actor: .anonymous, request: .none)])
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables.isEmpty)
        #expect(report.entries[UsersProjection().databaseName("by_id")] == 2)
    }

    @Test("an unknown future version is refused, not misread")
    func unknownVersion() async throws {
        let dir = try TemporaryDirectory("upcast-future")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: [], clock: ManualClock())
        defer { store.close() }
        var payload = PayloadWriter()
        payload.add("user_id", "usr_future000001")
        let future = PendingEvent(type: UserRegistered.type, version: 9, actor: .anonymous, request: .none, streams: [], payload: payload.bytes)
        let recorded = try await store.append([future])[0]
        #expect(throws: EventDecodingError.unknownType(UserRegistered.type, 9)) { try UserRegistered(recorded) }
    }

    @Test("every event type round-trips its example through the log")
    func catalogRoundTrip() async throws {
        let dir = try TemporaryDirectory("catalog")
        defer { dir.remove() }
        let store = try EventStore(path: dir.path, projections: DomainProjections.all, clock: ManualClock())
        defer { store.close() }
        for type in EventCatalog.all {
            let recorded = try await store.append([type.example.pending(actor: .system, request: .none)])[0]
            #expect(recorded.type == type.type)
            try roundTrip(type, recorded)
        }
    }

    private func roundTrip<E: DomainEvent>(_ type: E.Type, _ recorded: RecordedEvent) throws {
        #expect(try E(recorded) == E.example)
    }
}
