import AuthCore
import EventLog
import Testing
import TestSupport

/// Flow state (WebAuthn challenges) through the single writer: single use, expiry, kinds, pruning; never in the log.
@Suite struct FlowStateTests {
    func withStore(_ body: (EventStore, ManualClock, SideTable) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("flow-state")
        defer { directory.remove() }
        let clock = ManualClock()
        let store = try EventStore(path: directory.path, projections: DomainProjections.all, clock: clock)
        defer { store.close() }
        try await body(store, clock, try FlowState.table(in: store))
    }

    func key(_ byte: UInt8) -> [UInt8] { Array(repeating: byte, count: 32) }

    @Test func entriesAreSingleUseExpireAndKeepTheirKind() async throws {
        try await withStore { store, clock, table in
            let commitsBefore = store.statistics.commits
            _ = try await store.run(IssueFlowState(table: table, key: key(1), kind: .passkeyRegistration, payload: Array("usr_1".utf8), lifetime: 300))
            _ = try await store.run(IssueFlowState(table: table, key: key(2), kind: .passkeyAuthentication, payload: [], lifetime: 300))
            _ = try await store.run(IssueFlowState(table: table, key: key(3), kind: .passkeyAuthentication, payload: [], lifetime: 300))
            #expect(store.statistics.commits > commitsBefore, "the writes go through the writer")
            #expect(try await store.run(ConsumeFlowState(table: table, key: key(1), kind: .passkeyRegistration)) == .consumed(payload: Array("usr_1".utf8)))
            #expect(try await store.run(ConsumeFlowState(table: table, key: key(1), kind: .passkeyRegistration)) == .unknown)
            #expect(try await store.run(ConsumeFlowState(table: table, key: key(2), kind: .passkeyRegistration)) == .otherKind)
            // Used up by the wrong-kind attempt too.
            #expect(try await store.run(ConsumeFlowState(table: table, key: key(2), kind: .passkeyAuthentication)) == .unknown)
            clock.advance(seconds: 300)
            #expect(try await store.run(ConsumeFlowState(table: table, key: key(3), kind: .passkeyAuthentication)) == .expired)
            #expect(try await store.run(ConsumeFlowState(table: table, key: key(3), kind: .passkeyAuthentication)) == .unknown)
            #expect(try store.head().seq == 0, "flow state is not in the log")
        }
    }

    /// Each issue removes at most ``FlowState/pruneBatch`` expired entries.
    @Test func issuingPrunesExpiredEntriesInBoundedBatches() async throws {
        try await withStore { store, clock, table in
            for index in 0..<100 {
                _ = try await store.run(IssueFlowState(table: table, key: key(UInt8(index)), kind: .passkeyAuthentication, payload: [], lifetime: 60))
            }
            clock.advance(seconds: 61)
            func count() async throws -> Int {
                try await store.execute { context in
                    var n = 0
                    try context.forEach(table) { _, _ in
                        n += 1
                        return true
                    }
                    return n
                }
            }
            _ = try await store.run(IssueFlowState(table: table, key: key(200), kind: .passkeyAuthentication, payload: [], lifetime: 60))
            #expect(try await count() == 100 - FlowState.pruneBatch + 1)
            _ = try await store.run(IssueFlowState(table: table, key: key(201), kind: .passkeyAuthentication, payload: [], lifetime: 60))
            #expect(try await count() == 2)
        }
    }

    @Test func aSideTableCannotTakeALogOrProjectionTable() async throws {
        try await withStore { store, _, _ in
            #expect(throws: EventStoreError.sideTableName("log")) { try store.sideTable("log") }
            #expect(throws: EventStoreError.sideTableName(SessionsProjection().databaseName("by_id"))) {
                try store.sideTable(SessionsProjection().databaseName("by_id"))
            }
        }
    }
}
