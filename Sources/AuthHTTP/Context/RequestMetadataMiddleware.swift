import Hummingbird
import Logging

/// Fills ``AuthRequestContext`` from the request headers and the server configuration, and echoes the
/// request id in the `X-Request-Id` response header. Install it as the outermost middleware.
public struct RequestMetadataMiddleware: RouterMiddleware {
    /// The context this middleware fills in.
    public typealias Context = AuthRequestContext

    /// Whether to take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    public let trustProxy: Bool
    /// The request body limit to set on every context.
    public let maxUploadSize: Int

    /// Creates the middleware.
    /// - Parameters:
    ///   - trustProxy: take the client address from the right-most `X-Forwarded-For` entry.
    ///   - maxUploadSize: the body limit, in bytes, for every request.
    public init(trustProxy: Bool = false, maxUploadSize: Int = AuthRequestContext.defaultMaxUploadSize) {
        self.trustProxy = trustProxy
        self.maxUploadSize = maxUploadSize
    }

    /// Sets request id, client address, user agent and body limit, then calls `next`.
    public func handle(
        _ request: Request,
        context: AuthRequestContext,
        next: (Request, AuthRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        fill(&context, from: request)
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID
        return response
    }

    /// Fills `context` from the request's headers and the configuration (what ``handle(_:context:next:)`` does before
    /// calling on; ``ServerMiddleware`` calls it directly).
    func fill(_ context: inout AuthRequestContext, from request: Request) {
        // The request id is always the server's own (generated with the context, which also put it in the logger's
        // metadata): a client cannot choose what events record as `request_id`. A caller's `X-Request-Id` is kept
        // apart, bounded and sanitised, for the log lines of the request only.
        if let supplied = request.headers.value(of: .xRequestID) {
            context.clientRequestID = RequestIdentifier.sanitizedClientID(supplied)
            if let client = context.clientRequestID {
                context.logger[metadataKey: "client.request.id"] = .string(client)
            }
        }
        if trustProxy, let forwarded = IPAddress.forwardedClient(from: request.headers[values: .xForwardedFor]) {
            context.clientIP = forwarded
        }
        context.userAgent = request.headers.value(of: .userAgent).map {
            ClientText.truncated($0, maxBytes: AuthRequestContext.maxUserAgentBytes)
        }
        context.maxUploadSize = maxUploadSize
    }
}
