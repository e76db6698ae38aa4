/// The one strict RFC 8259 JSON parser of the project (JOSE headers and claims, WebAuthn client data and credential
/// responses, HTTP request bodies) over UTF-8 bytes: no duplicate member names (compared after unescaping), no lone
/// surrogates, no comments, trailing commas, BOM or trailing content, bounded nesting, finite numbers.
public struct StrictJSONParser {
    /// The deepest nesting of arrays and objects accepted by default.
    public static let defaultMaximumDepth = 32

    /// A step of the path to the value being parsed, for error messages.
    private enum PathStep {
        case key(String)
        case index(Int)
    }

    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var index = 0
    private var path: [PathStep] = []
    /// The member names of the outermost object, in document order.
    private var topLevelKeys: [String]?

    /// Parses exactly one JSON value filling all of `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(StrictJSONError) -> JSONValue {
        var parser = StrictJSONParser(bytes: bytes, maximumDepth: maximumDepth)
        return try parser.parseDocument()
    }

    /// Parses a document that must be an object; returns its members and their names in document order, or `nil`
    /// if the (valid) document is not an object.
    public static func parseObject(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(StrictJSONError)
        -> (members: [String: JSONValue], keys: [String])?
    {
        var parser = StrictJSONParser(bytes: bytes, maximumDepth: maximumDepth)
        guard case let .object(members) = try parser.parseDocument(), let keys = parser.topLevelKeys else { return nil }
        return (members, keys)
    }

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private mutating func parseDocument() throws(StrictJSONError) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw .syntax(offset: index) }
        return value
    }

    /// The current path, e.g. `a[0].x`.
    private func pathText() -> String {
        var out = ""
        for step in path {
            switch step {
            case let .key(name): out += out.isEmpty ? name : "." + name
            case let .index(position): out += "[\(position)]"
            }
        }
        return out
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(StrictJSONError) {
        guard current == byte else { throw .syntax(offset: index) }
        index += 1
    }

    private mutating func parseValue(depth: Int) throws(StrictJSONError) -> JSONValue {
        guard let byte = current else { throw .syntax(offset: index) }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .syntax(offset: index)
        }
    }

    private mutating func parseLiteral(_ literal: String) throws(StrictJSONError) {
        for byte in literal.utf8 { try expect(byte) }
    }

    private mutating func parseObject(depth: Int) throws(StrictJSONError) -> JSONValue {
        guard depth <= maximumDepth else { throw .tooDeep(limit: maximumDepth) }
        try expect(UInt8(ascii: "{"))
        var members: [String: JSONValue] = [:]
        var keys: [String] = []
        defer { if depth == 1 { topLevelKeys = keys } }
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw .syntax(offset: index) }
            let name = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            path.append(.key(name))
            let value = try parseValue(depth: depth)
            guard members.updateValue(value, forKey: name) == nil else { throw .duplicateKey(name, path: pathText()) }
            path.removeLast()
            if depth == 1 { keys.append(name) }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(StrictJSONError) -> JSONValue {
        guard depth <= maximumDepth else { throw .tooDeep(limit: maximumDepth) }
        try expect(UInt8(ascii: "["))
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            path.append(.index(elements.count))
            elements.append(try parseValue(depth: depth))
            path.removeLast()
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        }
    }

    private mutating func parseString() throws(StrictJSONError) -> String {
        try expect(UInt8(ascii: "\""))
        // Fast path: a string without escapes (the usual member name or value) is its bytes up to the closing quote.
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []
        func flush() {
            if !run.isEmpty {
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
        }
        while true {
            guard let byte = current else { throw .syntax(offset: index) }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush()
                index += 1
                scalars.append(try parseEscape())
            case 0x00..<0x20:
                throw .syntax(offset: index)
            default:
                // Input was validated as UTF-8, so multi-byte sequences pass through whole.
                run.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape() throws(StrictJSONError) -> Unicode.Scalar {
        guard let byte = current else { throw .syntax(offset: index) }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let start = index - 2
            let unit = try parseHex4()
            switch unit {
            case 0xD800...0xDBFF:
                guard current == UInt8(ascii: "\\") else { throw .syntax(offset: start) }
                index += 1
                guard current == UInt8(ascii: "u") else { throw .syntax(offset: start) }
                index += 1
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw .syntax(offset: start) }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw .syntax(offset: start) }
                return scalar
            case 0xDC00...0xDFFF:
                throw .syntax(offset: start)
            default:
                guard let scalar = Unicode.Scalar(UInt32(unit)) else { throw .syntax(offset: start) }
                return scalar
            }
        default:
            throw .syntax(offset: index - 1)
        }
    }

    private mutating func parseHex4() throws(StrictJSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw .syntax(offset: index) }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .syntax(offset: index)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(StrictJSONError) -> Double {
        let start = index
        func digits() -> Int {
            let begin = index
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index - begin
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw .syntax(offset: index) }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw .syntax(offset: index) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw .syntax(offset: index) }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw .numberOutOfRange(offset: start) }
        return value
    }
}
