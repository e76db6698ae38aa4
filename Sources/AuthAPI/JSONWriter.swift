import AuthHTTP
import Hummingbird
import TextEncoding

/// A small JSON object writer for hot responses (Foundation's `JSONEncoder` costs more than the whole session
/// check). Members are written in the order given; values are escaped by ``JSONString`` (RFC 8259). Member names are
/// the code's own literals (`StaticString`), plain ASCII that needs no escaping, and are copied as they are.
struct JSONWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    init() { bytes.reserveCapacity(512) }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { name in
            assert(name.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            bytes.append(contentsOf: name)
        }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func add(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { JSONString.append(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func add(_ name: StaticString, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func add(_ name: StaticString, object: JSONWriter) {
        key(name)
        bytes.append(contentsOf: object.bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// The object with its closing brace.
    var finished: [UInt8] {
        var out = bytes
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A 200 `application/json` response with `Cache-Control: no-store` and `Pragma: no-cache`, plus `headers`.
    func response(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        Self.response(finished, status: status, headers: headers)
    }

    /// `body` as an `application/json` response with `Cache-Control: no-store` and `Pragma: no-cache` (the same
    /// headers as ``Respond/json(_:status:headers:)``: these answers carry tokens or a user's data), plus `headers`.
    static func response(_ body: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        // Appended field by field (a dictionary literal or the name subscript would look each name up first).
        var fields = HTTPFields()
        fields.reserveCapacity(4 + headers.count)
        fields.append(HTTPFields.Element(name: .contentType, value: "application/json"))
        fields.append(HTTPFields.Element(name: .contentLength, value: String(body.count)))
        fields.append(HTTPFields.Element(name: .cacheControl, value: "no-store"))
        fields.append(HTTPFields.Element(name: Respond.pragma, value: "no-cache"))
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension SessionView {
    /// The same members as the `Encodable` form.
    var json: JSONWriter {
        var w = JSONWriter()
        w.add("aal", aal)
        if let authenticatedBy { w.add("authenticated_by", authenticatedBy) }
        w.add("created_at", createdAt)
        w.add("current", current)
        w.add("expires_at", expiresAt)
        w.add("id", id)
        w.add("idle_expires_at", idleExpiresAt)
        w.add("ip", ip)
        w.add("last_seen_at", lastSeenAt)
        w.add("mode", mode)
        w.add("user_agent", userAgent)
        w.add("user_id", userID)
        return w
    }
}
