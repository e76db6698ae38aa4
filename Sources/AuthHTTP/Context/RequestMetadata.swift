import Hummingbird

/// Fills ``AuthRequestContext`` from the request headers and the server configuration: the first thing
/// ``ServerMiddleware`` does with every request.
struct RequestMetadata {
    /// Whether to take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    let trustProxy: Bool
    /// The request body limit to set on every context.
    let maxUploadSize: Int

    /// Creates the part.
    /// - Parameters:
    ///   - trustProxy: take the client address from the right-most `X-Forwarded-For` entry.
    ///   - maxUploadSize: the body limit, in bytes, for every request.
    init(trustProxy: Bool, maxUploadSize: Int) {
        self.trustProxy = trustProxy
        self.maxUploadSize = maxUploadSize
    }

    /// Sets the client request id, client address, user agent and body limit of `context` from the request's headers
    /// and the configuration.
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
