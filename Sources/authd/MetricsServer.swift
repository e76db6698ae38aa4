import AuthHTTP
import EventLog
import Hummingbird
import Logging
import Metrics
import Prometheus

/// The metrics listener of `authd serve --metrics-listen HOST:PORT`: a second, separate Hummingbird application that
/// serves only `GET /metrics` (Prometheus text format 0.0.4) from the registry of the `PrometheusMetricsFactory`
/// bootstrapped as the process's metrics backend. It is not a route of the API listener, so it can stay on an address
/// that only the scraper reaches.
struct MetricsServer: Sendable {
    /// Seconds between samples of the store's gauges (health, head, map usage).
    static let sampleInterval: Duration = .seconds(5)

    /// The buckets of the value histograms (commands per committed batch).
    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

    /// The registry `/metrics` renders.
    let registry: PrometheusCollectorRegistry
    /// Where it listens.
    let address: ListenAddress
    /// The logger of the listener.
    let logger: Logger

    /// Bootstraps swift-metrics with a Prometheus factory over a new registry (once per process) and returns the
    /// server for it.
    static func bootstrap(address: ListenAddress, logger: Logger) -> MetricsServer {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["authd_store_batch_commands"] = batchBuckets
        MetricsSystem.bootstrap(factory)
        return MetricsServer(registry: registry, address: address, logger: logger)
    }

    /// The application serving `GET /metrics`, run beside the API's (``AuthServer/run(alongside:)``).
    func buildApplication() -> some ApplicationProtocol {
        let router = Router()
        let registry = self.registry
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let logger = self.logger
        let host = address.host
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                logger.info(
                    "metrics listening", metadata: ["host": .string(host), "port": .stringConvertible(channel.localAddress?.port ?? 0)])
            },
            logger: logger
        )
    }

    /// Samples the store's gauges now and every ``sampleInterval`` until cancelled.
    static func sampleStore(_ store: EventStore) async {
        while !Task.isCancelled {
            await StoreMetrics.of(store).sample(store)
            try? await Task.sleep(for: sampleInterval)
        }
    }
}
