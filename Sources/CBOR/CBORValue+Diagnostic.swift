import TextEncoding

/// RFC 8949 §8 diagnostic notation, for logs and test failure messages.
extension CBORValue: CustomStringConvertible {
    /// The value in diagnostic notation, e.g. `{1: 2, "a": h'0102', 24(["x"])}`. Floats are
    /// written with a decimal point or exponent, NaN and infinities as `NaN`, `Infinity`,
    /// `-Infinity`, and `undefined` and other simple values as `undefined` and `simple(n)`.
    public var description: String {
        switch self {
        case .unsigned, .negative:
            return integerDescription ?? "0"
        case let .float(number):
            if number.isNaN { return "NaN" }
            if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
            return number.description
        case let .byteString(bytes):
            let digits = Array("0123456789abcdef")
            var hex = "h'"
            for byte in bytes {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0xF)])
            }
            return hex + "'"
        case let .textString(text):
            var output = ""
            JSONString.append(text, to: &output)
            return output
        case let .array(items):
            return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case let .map(entries):
            return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case let .tagged(tag, content):
            return "\(tag)(\(content))"
        case let .simple(number):
            return "simple(\(number))"
        case let .bool(flag):
            return flag ? "true" : "false"
        case .null:
            return "null"
        case .undefined:
            return "undefined"
        }
    }
}
