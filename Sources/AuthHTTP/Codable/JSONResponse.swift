import Foundation
import Hummingbird

/// A JSON response: return it from a route to answer with `Content-Type: application/json`.
///
/// ```swift
/// router.get("/me") { _, context in JSONResponse(Profile(...)) }
/// router.post("/things") { _, _ in JSONResponse(created, status: .created) }
/// ```
public struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator, Sendable {
    /// The value to encode.
    public var value: Value
    /// The response status; 200 by default.
    public var status: HTTPResponse.Status
    /// Extra headers.
    public var headers: HTTPFields

    /// Creates a JSON response.
    public init(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    /// Encodes ``value`` with ``JSONResponseEncoder``.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponseEncoder.response(value, status: status, headers: headers)
    }
}

/// Encoding of JSON response bodies: sorted keys, unescaped slashes, ISO 8601 dates.
public enum JSONResponseEncoder {
    /// The media type written.
    public static let mediaType = "application/json"

    /// `value` as a response with `Content-Type: application/json` and `Content-Length`.
    public static func response(
        _ value: some Encodable,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:]
    ) throws -> Response {
        let data = try encoder().encode(value)
        var fields = headers
        fields[.contentType] = mediaType
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A configured encoder.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
