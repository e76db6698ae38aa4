@_exported import StrictJSON

/// The parse error of JOSE's JSON (the shared strict parser's).
public typealias JSONParseError = StrictJSONError

extension JSONValue {
    /// Parses UTF-8 JSON strictly (RFC 8259): duplicate member names, lone surrogates, invalid UTF-8,
    /// trailing content and nesting deeper than 32 levels are errors, not silently accepted.
    public init(parsing bytes: [UInt8]) throws(JSONParseError) {
        self = try StrictJSONParser.parse(bytes)
    }

    /// Compact UTF-8 JSON with object members sorted by name (so equal values serialize identically);
    /// `nil` if a number is not finite. Integral numbers below 2^53 are written without a fraction.
    public func serialized() -> [UInt8]? {
        var out: [UInt8] = []
        guard write(to: &out) else { return nil }
        return out
    }

    private func write(to out: inout [UInt8]) -> Bool {
        switch self {
        case .null:
            out += Array("null".utf8)
        case let .bool(value):
            out += Array((value ? "true" : "false").utf8)
        case let .number(value):
            guard value.isFinite else { return false }
            if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
                out += Array(String(Int64(value)).utf8)
            } else {
                out += Array(value.description.utf8)
            }
        case let .string(value):
            Self.writeString(value, to: &out)
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                guard element.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            for (position, name) in members.keys.sorted().enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                guard members[name]!.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    private static func writeString(_ value: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
