import EventLog
import Metrics
import MetricsTestKit
import TestSupport
import Testing

@Suite("Store metrics")
struct StoreMetricsTests {
    static let engine = [("engine", "lmdb")]

    @Test("a committed batch counts the commit, its events and commands, and its latency")
    func batchCommitted() throws {
        let factory = TestMetrics()
        let metrics = StoreMetrics(engine: "lmdb", factory: factory)
        metrics.batchCommitted(commands: 3, events: 5, nanoseconds: 2_000_000)
        metrics.batchCommitted(commands: 1, events: 0, nanoseconds: 1_000_000)
        #expect(try factory.expectCounter("authd_store_commits_total", Self.engine).totalValue == 2)
        #expect(try factory.expectCounter("authd_store_appended_events_total", Self.engine).totalValue == 5)
        #expect(try factory.expectRecorder("authd_store_batch_commands", Self.engine).values == [3, 1])
        #expect(try factory.expectTimer("authd_store_commit_duration_seconds", Self.engine).values == [2_000_000, 1_000_000])
    }

    @Test("a sample reads the health, the head and the map usage of a real store, and 0 once it cannot commit")
    func sample() async throws {
        let dir = try TemporaryDirectory("metrics")
        defer { dir.remove() }
        let store = try makeStore(dir, clock: ManualClock())
        let factory = TestMetrics()
        let metrics = StoreMetrics(engine: "lmdb", factory: factory)
        _ = try await store.append([testEvent(note: "a"), testEvent(note: "b")])
        await metrics.sample(store)
        #expect(try factory.expectGauge("authd_store_up", Self.engine).lastValue == 1)
        #expect(try factory.expectGauge("authd_log_head_seq", Self.engine).lastValue == 2)
        let used = try #require(try factory.expectGauge("authd_store_map_used_bytes", Self.engine).lastValue)
        let size = try #require(try factory.expectGauge("authd_store_map_size_bytes", Self.engine).lastValue)
        #expect(used > 0 && used <= size)
        #expect(Int(size) == store.environment.mapSize)
        store.close()
        await metrics.sample(store)
        #expect(try factory.expectGauge("authd_store_up", Self.engine).lastValue == 0)
    }
}
