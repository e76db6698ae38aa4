import TextEncoding

/// Conversion to JSON text for people and tools. It is lossy and one-way; it is not meant
/// to be parsed back into CBOR.
extension CBORValue {
    /// Renders the value as compact JSON (RFC 8259) text:
    ///
    /// | CBOR | JSON |
    /// |---|---|
    /// | unsigned / negative integer | number, exact (all 64-bit values, down to -2^64) |
    /// | float | number (shortest round-trip form); NaN and ±infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` |
    /// | byte string | string, base64url without padding (RFC 4648 §5) |
    /// | text string | string |
    /// | array | array |
    /// | map, every key a text string or integer, names distinct | object; integer keys written in decimal (`{"1": 2, "3": -7}`) |
    /// | any other map | array of `[key, value]` pairs |
    /// | tag | `{"tag": number, "value": content}` |
    /// | `true` / `false` / `null` | same |
    /// | `undefined` | `null` |
    /// | other simple value | `{"simple": number}` |
    ///
    /// Object members keep the map's order. Strings are escaped by ``JSONString`` (`"`, `\`, controls, line
    /// separators and bidi controls); other characters are written as UTF-8.
    public func jsonString() -> String {
        var output = ""
        writeJSON(to: &output)
        return output
    }

    private func writeJSON(to output: inout String) {
        switch self {
        case .unsigned, .negative:
            output += integerDescription ?? "0"
        case let .float(number):
            if number.isNaN {
                output += "\"NaN\""
            } else if number.isInfinite {
                output += number < 0 ? "\"-Infinity\"" : "\"Infinity\""
            } else {
                output += number.description
            }
        case let .byteString(bytes):
            output += "\""
            output += Encoding.base64URL(bytes)
            output += "\""
        case let .textString(text):
            JSONString.append(text, to: &output)
        case let .array(items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.writeJSON(to: &output)
            }
            output += "]"
        case let .map(entries):
            if let names = Self.memberNames(entries) {
                output += "{"
                for (index, entry) in entries.enumerated() {
                    if index > 0 { output += "," }
                    JSONString.append(names[index], to: &output)
                    output += ":"
                    entry.value.writeJSON(to: &output)
                }
                output += "}"
            } else {
                output += "["
                for (index, entry) in entries.enumerated() {
                    if index > 0 { output += "," }
                    output += "["
                    entry.key.writeJSON(to: &output)
                    output += ","
                    entry.value.writeJSON(to: &output)
                    output += "]"
                }
                output += "]"
            }
        case let .tagged(tag, content):
            output += "{\"tag\":\(tag),\"value\":"
            content.writeJSON(to: &output)
            output += "}"
        case let .simple(number):
            output += "{\"simple\":\(number)}"
        case let .bool(flag):
            output += flag ? "true" : "false"
        case .null, .undefined:
            output += "null"
        }
    }

    /// The decimal form of an integer value (exact down to -2^64), or `nil` for other types.
    var integerDescription: String? {
        switch self {
        case let .unsigned(number):
            return String(number)
        case let .negative(number):
            return number == .max ? "-18446744073709551616" : "-" + String(number + 1)
        default:
            return nil
        }
    }

    /// JSON object member names for `entries`, or `nil` if some key is neither a text string
    /// nor an integer, or two keys would give the same name.
    private static func memberNames(_ entries: [(key: CBORValue, value: CBORValue)]) -> [String]? {
        var names: [String] = []
        names.reserveCapacity(entries.count)
        var seen = Set<String>()
        for entry in entries {
            guard let name = entry.key.text ?? entry.key.integerDescription,
                  seen.insert(name).inserted
            else { return nil }
            names.append(name)
        }
        return names
    }
}
