import AuthCrypto
import TextEncoding

/// Renders stored events as JSON for humans and tools (`authctl replay --format json`, `export`, schema tests).
///
/// Byte strings become base64url text, timestamps RFC 3339; the payload keeps its field names. Strings are written by
/// ``JSONString`` (controls, C1, line separators and bidi controls escaped: JSON lines are read on terminals too).
public enum EventJSON {
    /// The event as one JSON object:
    /// `{"seq", "time", "type", "version", "actor": {"kind","id"}, "request": {...}, "streams": [...], "payload": {...}, "hash"}`.
    public static func render(_ event: RecordedEvent) -> String {
        render(event, request: event.request, payloadText: [:])
    }

    /// The event as ``render(_:)`` writes it, with `request` in place of the stored request fields and each top-level
    /// payload field named in `payloadText` written as that text (audit tools pass personal data opened from its
    /// sealed form, or `[erased]`).
    public static func render(_ event: RecordedEvent, request: RequestInfo, payloadText: [String: String]) -> String {
        var out = "{"
        out += "\"seq\":\(event.seq),\"time\":\(JSONString.quoted(event.timestamp.rfc3339)),\"type\":\(JSONString.quoted(event.type)),"
        out += "\"version\":\(event.version),"
        let actor = event.actor
        out += "\"actor\":{\"kind\":\(JSONString.quoted(actor.kind.rawValue)),\"id\":\(actor.id.map(JSONString.quoted) ?? "null")},"
        out += "\"request\":{\"request_id\":\(request.requestID.map(JSONString.quoted) ?? "null"),"
        out += "\"ip\":\(request.clientIP.map(JSONString.quoted) ?? "null"),\"user_agent\":\(request.userAgent.map(JSONString.quoted) ?? "null")},"
        out += "\"streams\":[" + event.streams.map { JSONString.quoted($0.description) }.joined(separator: ",") + "],"
        out += "\"payload\":" + payload(event.payload, replacing: payloadText) + ","
        out += "\"hash\":\(JSONString.quoted(Encoding.hex(event.hash)))}"
        return out
    }

    /// A payload (CBOR map) as a JSON object.
    public static func payload(_ bytes: [UInt8], replacing: [String: String] = [:]) -> String {
        var reader = CBORReader(bytes)
        var out = ""
        do {
            if replacing.isEmpty {
                try value(&reader, into: &out, depth: 0)
            } else {
                let count = try reader.mapCount()
                out += "{"
                for index in 0..<count {
                    if index > 0 { out += "," }
                    let key = try reader.text()
                    out += JSONString.quoted(key) + ":"
                    if let text = replacing[key] {
                        try reader.skip()
                        out += JSONString.quoted(text)
                    } else {
                        try value(&reader, into: &out, depth: 1)
                    }
                }
                out += "}"
            }
        } catch {
            return "{\"_undecodable\":\(JSONString.quoted(String(describing: error)))}"
        }
        return out
    }

    private static func value(_ reader: inout CBORReader, into out: inout String, depth: Int) throws(EventDecodingError) {
        guard depth < 16 else { throw .malformed("nesting too deep") }
        let initial = try reader.peekMajorAndInfo()
        switch initial {
        case 0xF4: reader.position += 1; out += "false"; return
        case 0xF5: reader.position += 1; out += "true"; return
        case 0xF6, 0xF7: reader.position += 1; out += "null"; return
        default: break
        }
        switch initial >> 5 {
        case 0: out += String(try reader.uint())
        case 1: out += String(try reader.int())
        case 2: out += JSONString.quoted(Encoding.base64URL(try reader.byteString()))
        case 3: out += JSONString.quoted(try reader.text())
        case 4:
            let count = try reader.arrayCount()
            out += "["
            for index in 0..<count {
                if index > 0 { out += "," }
                try value(&reader, into: &out, depth: depth + 1)
            }
            out += "]"
        case 5:
            let count = try reader.mapCount()
            out += "{"
            for index in 0..<count {
                if index > 0 { out += "," }
                out += JSONString.quoted(try reader.text()) + ":"
                try value(&reader, into: &out, depth: depth + 1)
            }
            out += "}"
        default:
            throw .malformed("unsupported CBOR item")
        }
    }
}
