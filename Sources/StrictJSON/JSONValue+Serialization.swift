import TextEncoding

extension JSONValue {
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
            JSONString.append(value, to: &out)
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
                JSONString.append(name, to: &out)
                out.append(UInt8(ascii: ":"))
                guard members[name]!.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }
}
