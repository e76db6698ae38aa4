/// A single-pass JSON syntax check that also rejects duplicate object keys (at every depth), bounds
/// nesting depth, and returns the keys of the top-level object in document order.
///
/// `JSONDecoder` silently accepts duplicate keys and ignores unknown ones; ``StrictJSONDecoder`` runs
/// this scanner first so both are caught. The grammar is RFC 8259's; input must be valid UTF-8.
public struct JSONStructureScanner {
    /// Why a document was rejected.
    public enum Failure: Error, Equatable, Sendable {
        /// Not valid JSON; `offset` is the byte where parsing stopped.
        case syntax(offset: Int)
        /// Not valid UTF-8.
        case invalidUTF8
        /// Nested deeper than the allowed depth.
        case tooDeep(limit: Int)
        /// An object has the same key twice; `path` names it (`a.b`, `items[0].id`).
        case duplicateKey(path: String)
        /// Valid JSON, but the top-level value is not an object.
        case notAnObject
    }

    /// The default nesting limit.
    public static let defaultMaxDepth = 64

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var index = 0

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Checks `bytes` and returns the top-level object's keys in document order.
    /// - Throws: ``Failure`` if the document is not valid JSON, has duplicate keys, is nested deeper than
    ///   `maxDepth`, or is not an object.
    public static func topLevelKeys(in bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(Failure) -> [String] {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        var scanner = JSONStructureScanner(bytes: bytes, maxDepth: maxDepth)
        scanner.skipWhitespace()
        let keys = try scanner.parseValue(depth: 0, path: "")
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw .syntax(offset: scanner.index) }
        guard let keys else { throw .notAnObject }
        return keys
    }

    // MARK: Grammar

    /// Parses one value; returns the keys if it is an object, else `nil`.
    private mutating func parseValue(depth: Int, path: String) throws(Failure) -> [String]? {
        guard index < bytes.count else { throw .syntax(offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1, path: path)
        case UInt8(ascii: "["):
            try parseArray(depth: depth + 1, path: path)
        case UInt8(ascii: "\""):
            _ = try parseString(decode: false)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
        case UInt8(ascii: "f"):
            try expectLiteral("false")
        case UInt8(ascii: "n"):
            try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
        default:
            throw .syntax(offset: index)
        }
        return nil
    }

    private mutating func parseObject(depth: Int, path: String) throws(Failure) -> [String] {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        index += 1  // {
        skipWhitespace()
        var keys: [String] = []
        var seen = Set<String>()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return keys
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw .syntax(offset: index) }
            let key = try parseString(decode: true) ?? ""
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard seen.insert(key).inserted else { throw .duplicateKey(path: keyPath) }
            keys.append(key)
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            _ = try parseValue(depth: depth, path: keyPath)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                return keys
            default:
                throw .syntax(offset: index)
            }
        }
    }

    private mutating func parseArray(depth: Int, path: String) throws(Failure) {
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        index += 1  // [
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var element = 0
        while true {
            skipWhitespace()
            _ = try parseValue(depth: depth, path: "\(path)[\(element)]")
            element += 1
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default:
                throw .syntax(offset: index)
            }
        }
    }

    /// Parses a string starting at its opening quote; returns its decoded value when `decode` is set.
    private mutating func parseString(decode: Bool) throws(Failure) -> String? {
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw .syntax(offset: index) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return decode ? String(decoding: out, as: UTF8.self) : nil
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw .syntax(offset: index) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    if decode { out.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                default:
                    throw .syntax(offset: index - 1)
                }
            case 0x00..<0x20:
                throw .syntax(offset: index)
            default:
                if decode { out.append(byte) }
                index += 1
            }
        }
    }

    /// Parses the `XXXX` after `\u` (and a following low surrogate escape if needed).
    private mutating func parseUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        let first = try parseHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw .syntax(offset: index)
            }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw .syntax(offset: index - 4) }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw .syntax(offset: index) }
            return scalar
        case 0xDC00...0xDFFF:
            throw .syntax(offset: index - 4)
        default:
            guard let scalar = Unicode.Scalar(first) else { throw .syntax(offset: index) }
            return scalar
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw .syntax(offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .syntax(offset: index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Failure) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw .syntax(offset: index) }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard isDigit(peek()) else { throw .syntax(offset: index) }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard isDigit(peek()) else { throw .syntax(offset: index) }
            skipDigits()
        }
    }

    // MARK: Helpers

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(peek()) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek() == byte else { throw .syntax(offset: index) }
        index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .syntax(offset: index) }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw .syntax(offset: index + offset)
        }
        index += count
    }
}
