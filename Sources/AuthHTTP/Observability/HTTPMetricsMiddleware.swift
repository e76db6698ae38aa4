import Dispatch
import Hummingbird
import Logging
import Metrics

/// Counts every request and times it, by route pattern, method and status class (swift-metrics; authd exports them
/// in the Prometheus format), and writes one `debug` line per request with the same fields and the duration.
///
/// - `authd_http_requests_total{route, method, status}`: requests answered.
/// - `authd_http_request_duration_seconds{route, method, status}`: time from the request's arrival at this middleware
///   to its response head (a histogram).
///
/// Labels have bounded values only: `route` is the matched route's *pattern* (`/v1/admin/users/{id}`; `NotFound` when
/// nothing matched), never the raw path; `method` one of the common methods or `OTHER`; `status` the class (`2xx`,
/// `4xx`, ...). ``ServerMiddleware`` records after turning errors into problems, so it counts them as the problem
/// responses they become; as a middleware of its own it records the status of a thrown `HTTPResponseError`.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The counter's name.
    public static var requestsLabel: String { "authd_http_requests_total" }
    /// The timer's name.
    public static var durationLabel: String { "authd_http_request_duration_seconds" }

    private let factory: any MetricsFactory

    /// Creates the middleware, recording into `factory` (the bootstrapped one by default).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Calls `next` and records its outcome.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context: context, status: status, started: started)
            throw error
        }
    }

    /// Counts and times one answered request that arrived at `started` (`DispatchTime` nanoseconds).
    func record(_ request: Request, context: Context, status: HTTPResponse.Status, started: UInt64) {
        let elapsed = DispatchTime.now().uptimeNanoseconds &- started
        let route = context.endpointPath ?? "NotFound"
        let method = Self.methodLabel(request.method)
        let statusClass = Self.statusClass(status)
        let dimensions = [("route", route), ("method", method), ("status", statusClass)]
        Counter(label: Self.requestsLabel, dimensions: dimensions, factory: factory).increment()
        Timer(label: Self.durationLabel, dimensions: dimensions, factory: factory).recordNanoseconds(Int64(clamping: elapsed))
        context.logger.debug(
            "request",
            metadata: [
                "http.route": .string(route), "http.method": .string(method), "http.status": .stringConvertible(status.code),
                "duration_ms": .stringConvertible(Double(elapsed / 1000) / 1000),
            ])
    }

    /// The method's label: the common methods by name, anything else `OTHER` (methods are client-chosen).
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "OTHER"
        }
    }

    /// `1xx` ... `5xx`.
    static func statusClass(_ status: HTTPResponse.Status) -> String {
        "\(min(max(status.code / 100, 1), 5))xx"
    }
}
