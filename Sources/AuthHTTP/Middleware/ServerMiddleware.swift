import Dispatch
import Hummingbird

/// The server's one middleware, what ``AuthServer`` installs. For every request: ``RequestMetadata`` fills the
/// context (client request id, client address, user agent, body limit); ``CredentialsInQuery`` refuses a credential
/// in the query (400); the route runs; ``ErrorProblems`` turns any error into `application/problem+json` with the
/// request id; ``SecurityHeaders`` are added; ``HTTPMetricsMiddleware``'s `record` counts and times the request by
/// route pattern; `X-Request-Id` goes on every response.
///
/// One middleware rather than five because Hummingbird calls each router middleware through an existential and an
/// asynchronous closure of its own, in code generic over the context that is not specialized for ours: every layer
/// costs metadata lookups, copies of the context and a task switch check on every request.
public struct ServerMiddleware: RouterMiddleware {
    /// The context this middleware fills in.
    public typealias Context = AuthRequestContext

    let metadata: RequestMetadata
    let metrics: HTTPMetricsMiddleware<AuthRequestContext>
    let securityHeaders: SecurityHeaders
    let credentialsInQuery: CredentialsInQuery

    /// Creates the stack.
    /// - Parameters:
    ///   - trustProxy: take the client address from the right-most `X-Forwarded-For` entry.
    ///   - maxUploadSize: the body limit, in bytes, for every request.
    ///   - strictTransportSecurity: the `Strict-Transport-Security` value for every response; none if `nil`.
    public init(trustProxy: Bool, maxUploadSize: Int, strictTransportSecurity: String?) {
        self.metadata = RequestMetadata(trustProxy: trustProxy, maxUploadSize: maxUploadSize)
        self.metrics = HTTPMetricsMiddleware()
        self.securityHeaders = SecurityHeaders(strictTransportSecurity: strictTransportSecurity)
        self.credentialsInQuery = CredentialsInQuery()
    }

    /// Fills the context, calls `next` (unless the query names a credential), turns an error into its problem, adds
    /// the security headers and `X-Request-Id`, and records the outcome.
    public func handle(
        _ request: Request,
        context: AuthRequestContext,
        next: (Request, AuthRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        metadata.fill(&context, from: request)
        let started = DispatchTime.now().uptimeNanoseconds
        var response: Response
        do {
            if let query = request.uri.query, let name = credentialsInQuery.forbiddenParameter(inQuery: query) {
                throw Problem.credentialsInQuery(parameter: name)
            }
            response = try await next(request, context)
        } catch {
            var problem = ErrorProblems.problem(for: error, context: context, request: request)
            problem.extensions["request_id"] = .string(context.requestID)
            response = problem.makeResponse()
        }
        securityHeaders.apply(to: &response.headers)
        metrics.record(request, context: context, status: response.status, started: started)
        if response.headers.contains(.xRequestID) {
            response.headers[.xRequestID] = context.requestID
        } else {
            response.headers.append(HTTPFields.Element(name: .xRequestID, value: context.requestID))
        }
        return response
    }
}
