import Dispatch
import Metrics

/// The store's metrics (swift-metrics; authd exports them in the Prometheus format), each labelled with the storage
/// `engine` (`lmdb`, or `postgres` for a store replicating a shared log), so both engines report into the same names.
///
/// Per committed batch (``batchCommitted(commands:events:nanoseconds:)``, called by the writer after each commit):
/// - `authd_store_commits_total{engine}`: durable write transactions.
/// - `authd_store_appended_events_total{engine}`: events appended to the log.
/// - `authd_store_batch_commands{engine}`: commands per committed batch (a histogram: group commit at work).
/// - `authd_store_commit_duration_seconds{engine}`: from the start of the batch's transaction to its durable commit.
///
/// Sampled now and then (``sample(_:)``, by authd's serve every few seconds, never per request):
/// - `authd_store_up{engine}`: 1 when an empty command commits through the writer (as `/readyz` checks; with a
///   shared log, a round trip to it), else 0.
/// - `authd_log_head_seq{engine}`: the sequence number of the newest event (of this node's replica, with a shared log).
/// - `authd_store_map_used_bytes{engine}`, `authd_store_map_size_bytes{engine}`: LMDB pages in use and the current map
///   size (the map grows by itself up to its maximum).
public struct StoreMetrics: Sendable {
    /// The metrics of the LMDB engine.
    public static let lmdb = StoreMetrics(engine: "lmdb")
    /// The metrics of the PostgreSQL engine (a shared log that each node's LMDB environment replicates).
    public static let postgres = StoreMetrics(engine: "postgres")

    /// The `engine` label.
    public let engine: String
    /// The factory recording them; `nil`: the one bootstrapped at the time of each record.
    private let factory: (any MetricsFactory)?

    /// Metrics labelled with `engine`, recorded into `factory` (the bootstrapped one by default).
    public init(engine: String, factory: (any MetricsFactory)? = nil) {
        self.engine = engine
        self.factory = factory
    }

    private var dimensions: [(String, String)] { [("engine", engine)] }
    private var recorder: any MetricsFactory { factory ?? MetricsSystem.factory }

    /// Records one committed batch: `commands` callers, `events` appended, `nanoseconds` from transaction start to commit.
    public func batchCommitted(commands: Int, events: UInt64, nanoseconds: UInt64) {
        let factory = recorder
        Counter(label: "authd_store_commits_total", dimensions: dimensions, factory: factory).increment()
        Counter(label: "authd_store_appended_events_total", dimensions: dimensions, factory: factory).increment(by: Int64(clamping: events))
        Recorder(label: "authd_store_batch_commands", dimensions: dimensions, aggregate: true, factory: factory).record(commands)
        Timer(label: "authd_store_commit_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// The metrics of `store`'s engine.
    public static func of(_ store: EventStore) -> StoreMetrics {
        store.sharedLog == nil ? lmdb : postgres
    }

    /// Runs an empty command through `store`'s writer, reads its head and map usage, and sets the gauges; a failure of
    /// either sets `authd_store_up` to 0.
    public func sample(_ store: EventStore) async {
        let factory = recorder
        let up = Gauge(label: "authd_store_up", dimensions: dimensions, factory: factory)
        do {
            guard try await store.execute({ _ in true }) else { return }
            let head = try store.head()
            Gauge(label: "authd_log_head_seq", dimensions: dimensions, factory: factory).record(head.seq)
            Gauge(label: "authd_store_map_used_bytes", dimensions: dimensions, factory: factory).record(store.environment.usedBytes)
            Gauge(label: "authd_store_map_size_bytes", dimensions: dimensions, factory: factory).record(store.environment.mapSize)
            up.record(1)
        } catch {
            up.record(0)
        }
    }

    /// The current time for measuring a commit, in nanoseconds of a monotonic clock.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
