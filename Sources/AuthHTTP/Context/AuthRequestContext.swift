import Hummingbird
import Logging

/// The request context of every `authd` route: request id, client address, user agent and body limit.
///
/// Hummingbird creates it from the connection alone (see ``init(source:)``); the values that come from
/// request headers or from configuration are filled in by ``RequestMetadataMiddleware``, which
/// ``AuthServer`` installs first, so handlers always see the final values.
public struct AuthRequestContext: RequestContext {
    /// The default request body limit, 64 KiB.
    public static let defaultMaxUploadSize = 64 * 1024
    /// The longest user agent kept; longer values are truncated.
    public static let maxUserAgentLength = 256

    /// Hummingbird's own per-request storage (logger, route parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    /// The request identifier: a valid caller-supplied `X-Request-Id`, or a generated one.
    /// It is echoed in the `X-Request-Id` response header, in problem bodies (`request_id`) and in
    /// every log line of the request (metadata key `hb.request.id`).
    public var requestID: String
    /// The client IP address: the peer address of the connection, or, when the server trusts a
    /// proxy, the right-most `X-Forwarded-For` entry. `nil` if unknown (for example in router tests).
    public var clientIP: String?
    /// The `User-Agent` header, truncated to ``maxUserAgentLength`` characters, if present.
    public var userAgent: String?
    /// The largest request body, in bytes, that decoding accepts; larger bodies get 413.
    /// Hummingbird's `request.decode` and this package's `decodeStrict` both enforce it.
    public var maxUploadSize: Int

    /// Creates the context for a new request on `source.channel`, with a generated request id and
    /// the default body limit.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = RequestIdentifier.generate()
        self.clientIP = source.channel.remoteAddress?.ipAddress
        self.userAgent = nil
        self.maxUploadSize = Self.defaultMaxUploadSize
        self.logger[metadataKey: "hb.request.id"] = .string(self.requestID)
    }
}
