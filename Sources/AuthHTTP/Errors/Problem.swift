import Foundation
import Hummingbird
/// ``JSONValue`` is StrictJSON's (the package's one JSON value); problem extensions use it, so importers see it.
@_exported import StrictJSON

/// An RFC 9457 problem details object. Throw it from a route (or return its ``makeResponse()``) to
/// answer with `Content-Type: application/problem+json`.
///
/// The body holds `type`, `title`, `status`, optional `detail` and `instance`, then the extension
/// members (for example `retry_after`, `errors`, and `request_id`, which ``ServerMiddleware`` adds).
/// Keys are written sorted, so bodies are deterministic.
public struct Problem: Error, HTTPResponseError, Sendable, Hashable, CustomStringConvertible {
    /// The media type of problem bodies.
    public static let mediaType = "application/problem+json"
    /// Member names reserved by RFC 9457; extension members with these names are ignored.
    public static let reservedMembers: Set<String> = ["type", "title", "status", "detail", "instance"]

    /// A URI reference naming the problem type; `about:blank` means "just the HTTP status".
    public var type: String
    /// A short, human-readable summary of the problem type.
    public var title: String
    /// The HTTP status of the response.
    public var status: HTTPResponse.Status
    /// A human-readable explanation specific to this occurrence. Never put internal error text here.
    public var detail: String?
    /// A URI reference identifying this occurrence, if any.
    public var instance: String?
    /// Extension members, written at the top level of the body next to the standard ones.
    public var extensions: [String: JSONValue]
    /// Extra response headers (for example `Retry-After` or `Allow`).
    public var headers: HTTPFields

    /// Creates a problem.
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - type: the problem type URI; `about:blank` by default.
    ///   - title: the summary; defaults to the status' reason phrase.
    ///   - detail: the occurrence-specific explanation.
    ///   - instance: the occurrence URI.
    ///   - extensions: extension members.
    ///   - headers: extra response headers.
    public init(
        status: HTTPResponse.Status,
        type: String = "about:blank",
        title: String? = nil,
        detail: String? = nil,
        instance: String? = nil,
        extensions: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.instance = instance
        self.extensions = extensions
        self.headers = headers
    }

    /// The `retry_after` member and `Retry-After` header, in whole seconds; setting it sets both.
    public var retryAfter: Int? {
        get { extensions["retry_after"]?.intValue }
        set {
            if let newValue {
                extensions["retry_after"] = .int(newValue)
                headers[.retryAfter] = String(newValue)
            } else {
                extensions["retry_after"] = nil
                headers[.retryAfter] = nil
            }
        }
    }

    /// A short description for logs: status, title and detail.
    public var description: String {
        "Problem(\(status.code) \(title)\(detail.map { ": \($0)" } ?? ""))"
    }

    /// The problem as JSON bytes (sorted keys).
    public func jsonBody() -> [UInt8] {
        var members = extensions.filter { !Self.reservedMembers.contains($0.key) }
        members["type"] = .string(type)
        members["title"] = .string(title)
        members["status"] = .int(status.code)
        if let detail { members["detail"] = .string(detail) }
        if let instance { members["instance"] = .string(instance) }
        if let body = JSONValue.object(members).serialized() {
            return body
        }
        // Unreachable for JSONValue trees short of non-finite numbers; keep a valid body regardless.
        return Array(#"{"status":\#(status.code),"title":"\#(status.code)","type":"about:blank"}"#.utf8)
    }

    /// The problem as a complete response: status, `application/problem+json`, headers, body.
    public func makeResponse() -> Response {
        let body = jsonBody()
        var fields = headers
        fields[.contentType] = Self.mediaType
        fields[.contentLength] = String(body.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Hummingbird's `HTTPResponseError` hook: the same as ``makeResponse()``.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }
}

/// Problem type URIs used by this package.
extension Problem {
    /// Problem type URIs, `urn:authd:problem:<slug>`; plain HTTP errors use `about:blank`.
    public enum Types {
        /// The request body is not acceptable JSON for the endpoint (syntax, unknown/missing/mistyped field).
        public static let invalidBody = "urn:authd:problem:invalid-body"
        /// A credential was sent in the URL query.
        public static let credentialsInQuery = "urn:authd:problem:credentials-in-query"
        /// A cookie-authenticated unsafe request failed the CSRF origin check.
        public static let csrf = "urn:authd:problem:csrf"
        /// The caller is being rate limited.
        public static let rateLimited = "urn:authd:problem:rate-limited"
        /// The server is at capacity for this kind of work.
        public static let overloaded = "urn:authd:problem:overloaded"
        /// The log's database cannot be reached (the PostgreSQL engine): nothing was done; retry.
        public static let storeUnavailable = "urn:authd:problem:store-unavailable"
        /// The server is not ready to serve requests.
        public static let notReady = "urn:authd:problem:not-ready"
    }
}

/// Ready-made problems.
extension Problem {
    /// 400 with `about:blank` type and the given detail.
    public static func badRequest(_ detail: String) -> Problem {
        Problem(status: .badRequest, detail: detail)
    }

    /// 400 for a body that is not acceptable: `detail` names the field; `errors` lists
    /// `{"field": ..., "reason": ...}` objects for clients.
    public static func invalidBody(_ detail: String, errors: [(field: String, reason: String)] = []) -> Problem {
        var problem = Problem(status: .badRequest, type: Types.invalidBody, title: "Invalid request body", detail: detail)
        if !errors.isEmpty {
            problem.extensions["errors"] = .array(errors.map { .object(["field": .string($0.field), "reason": .string($0.reason)]) })
        }
        return problem
    }

    /// 400 for one field, e.g. `invalidField("email", reason: "invalid", detail: "field 'email' is not an email address")`.
    public static func invalidField(_ field: String, reason: String = "invalid", detail: String? = nil) -> Problem {
        invalidBody(detail ?? "field '\(field)' has an invalid value", errors: [(field, reason)])
    }

    /// 404.
    public static func notFound(_ detail: String? = nil) -> Problem {
        Problem(status: .notFound, detail: detail)
    }

    /// 405 with an `Allow` header listing `allowed`.
    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        var headers = HTTPFields()
        headers[.allow] = list
        return Problem(
            status: .methodNotAllowed,
            detail: "method not allowed; allowed: \(list)",
            extensions: ["allowed": .array(allowed.map { .string($0.rawValue) })],
            headers: headers
        )
    }

    /// 413 naming the limit.
    public static func contentTooLarge(limit: Int) -> Problem {
        Problem(status: .contentTooLarge, detail: "request body exceeds \(limit) bytes", extensions: ["max_bytes": .int(limit)])
    }

    /// 415 naming the expected media type.
    public static func unsupportedMediaType(expected: String) -> Problem {
        Problem(status: .unsupportedMediaType, detail: "Content-Type must be \(expected)")
    }

    /// 403 for a failed CSRF check.
    public static func csrfRejected() -> Problem {
        Problem(
            status: .forbidden,
            type: Types.csrf,
            title: "Cross-site request rejected",
            detail: "cookie-authenticated requests must come from an allowed origin"
        )
    }

    /// 400 for a credential in the URL query.
    public static func credentialsInQuery(parameter: String) -> Problem {
        Problem(
            status: .badRequest,
            type: Types.credentialsInQuery,
            title: "Credentials in URL",
            detail: "credentials must not be sent in the URL query (parameter '\(parameter)')"
        )
    }

    /// 429 with `Retry-After`.
    public static func tooManyRequests(retryAfter: Int) -> Problem {
        var problem = Problem(status: .tooManyRequests, type: Types.rateLimited, title: "Too many requests", detail: "try again later")
        problem.retryAfter = retryAfter
        return problem
    }

    /// 503 with `Retry-After`, for a log whose database cannot be reached (the request did nothing).
    public static func storeUnavailable(retryAfter: Int) -> Problem {
        unavailable(Types.storeUnavailable, "Store unavailable", "the log's database cannot be reached; try again later", retryAfter)
    }

    /// 503 with `Retry-After`, for a saturated worker pool.
    public static func overloaded(retryAfter: Int) -> Problem {
        unavailable(Types.overloaded, "Server busy", "the server is at capacity; try again later", retryAfter)
    }

    private static func unavailable(_ type: String, _ title: String, _ detail: String, _ retryAfter: Int) -> Problem {
        var problem = Problem(status: .serviceUnavailable, type: type, title: title, detail: detail)
        problem.retryAfter = retryAfter
        return problem
    }

    /// 503 for a failed readiness probe.
    public static func notReady() -> Problem {
        Problem(status: .serviceUnavailable, type: Types.notReady, title: "Not ready", detail: "the server is not ready to serve requests")
    }

    /// 500 with a fixed detail; nothing about the cause is revealed.
    public static func internalError() -> Problem {
        Problem(status: .internalServerError, detail: "internal error")
    }
}
