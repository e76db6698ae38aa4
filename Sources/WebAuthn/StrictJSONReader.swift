/// A strict RFC 8259 JSON reader (adapted from JOSE's parser, which is internal there) over UTF-8 bytes: no duplicate member names (compared after unescaping),
/// no lone surrogates, no comments, trailing commas, BOM or trailing content, bounded nesting.
struct StrictJSONReader {
    /// Why strict JSON parsing failed.
    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The bytes are not valid UTF-8.
        case invalidUTF8
        /// The text is not JSON at this byte offset, or has content after the value.
        case syntax(offset: Int)
        /// An object has this member name twice.
        case duplicateKey(String)
        /// Arrays and objects nest deeper than the reader allows.
        case tooDeep
        /// A number does not fit a finite double.
        case numberOutOfRange(offset: Int)

        /// A short explanation.
        var description: String {
            switch self {
            case .invalidUTF8: "not valid UTF-8"
            case let .syntax(offset): "not valid JSON at byte \(offset)"
            case let .duplicateKey(name): "duplicate member '\(name)'"
            case .tooDeep: "nested too deeply"
            case let .numberOutOfRange(offset): "number out of range at byte \(offset)"
            }
        }
    }

    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    /// Parses exactly one JSON value filling all of `bytes` (surrounding whitespace allowed).
    static func parse(_ bytes: [UInt8]) throws(StrictJSONReader.Failure) -> JSONNode {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        var parser = StrictJSONReader(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw .syntax(offset: parser.index) }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(StrictJSONReader.Failure) {
        guard current == byte else { throw .syntax(offset: index) }
        index += 1
    }

    private mutating func parseValue(depth: Int) throws(StrictJSONReader.Failure) -> JSONNode {
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

    private mutating func parseLiteral(_ literal: String) throws(StrictJSONReader.Failure) {
        for byte in literal.utf8 { try expect(byte) }
    }

    private mutating func parseObject(depth: Int) throws(StrictJSONReader.Failure) -> JSONNode {
        guard depth <= Self.maximumDepth else { throw .tooDeep }
        try expect(UInt8(ascii: "{"))
        var members: [String: JSONNode] = [:]
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
            let value = try parseValue(depth: depth)
            guard members.updateValue(value, forKey: name) == nil else { throw .duplicateKey(name) }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(StrictJSONReader.Failure) -> JSONNode {
        guard depth <= Self.maximumDepth else { throw .tooDeep }
        try expect(UInt8(ascii: "["))
        var elements: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        }
    }

    private mutating func parseString() throws(StrictJSONReader.Failure) -> String {
        try expect(UInt8(ascii: "\""))
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

    private mutating func parseEscape() throws(StrictJSONReader.Failure) -> Unicode.Scalar {
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

    private mutating func parseHex4() throws(StrictJSONReader.Failure) -> UInt16 {
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

    private mutating func parseNumber() throws(StrictJSONReader.Failure) -> Double {
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
