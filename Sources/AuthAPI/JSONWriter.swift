import AuthHTTP
import Hummingbird

/// A small JSON object writer for hot responses (Foundation's `JSONEncoder` costs more than the whole session
/// check). Members are written in the order given; strings are escaped per RFC 8259.
struct JSONWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    init() { bytes.reserveCapacity(512) }

    private mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        Self.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func add(_ name: String, _ value: String?) {
        key(name)
        if let value { Self.appendString(value, to: &bytes) } else { bytes.append(contentsOf: Array("null".utf8)) }
    }

    mutating func add(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: Array((value ? "true" : "false").utf8))
    }

    mutating func add(_ name: String, object: JSONWriter) {
        key(name)
        bytes.append(contentsOf: object.finished)
    }

    /// The object with its closing brace.
    var finished: [UInt8] { bytes + [UInt8(ascii: "}")] }

    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A 200 `application/json` response with `Cache-Control: no-store`.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        let body = finished
        return Response(
            status: status,
            headers: [.contentType: "application/json", .contentLength: String(body.count), .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
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
