/// Reads the CBOR subset events use, strictly: definite lengths only, no trailing garbage is allowed by callers.
struct CBORReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    @inline(__always)
    mutating func byte() throws(EventDecodingError) -> UInt8 {
        guard position < end else { throw .truncated }
        let value = bytes[position]
        position += 1
        return value
    }

    /// Reads an item head: the major type and its argument.
    @inline(__always)
    mutating func head() throws(EventDecodingError) -> (major: UInt8, argument: UInt64) {
        let initial = try byte()
        let major = initial >> 5
        let info = initial & 0x1F
        switch info {
        case 0..<24:
            return (major, UInt64(info))
        case 24...27:
            let count = 1 << Int(info - 24)
            guard end - position >= count else { throw .truncated }
            var value: UInt64 = 0
            for index in 0..<count { value = value << 8 | UInt64(bytes[position + index]) }
            position += count
            return (major, value)
        default:
            throw .malformed("unsupported additional information \(info)")
        }
    }

    mutating func peekMajorAndInfo() throws(EventDecodingError) -> UInt8 {
        guard position < end else { throw .truncated }
        return bytes[position]
    }

    mutating func uint() throws(EventDecodingError) -> UInt64 {
        let (major, argument) = try head()
        guard major == 0 else { throw .malformed("expected unsigned integer") }
        return argument
    }

    mutating func int() throws(EventDecodingError) -> Int64 {
        let (major, argument) = try head()
        guard argument <= UInt64(Int64.max) else { throw .malformed("integer out of range") }
        switch major {
        case 0: return Int64(argument)
        case 1: return -1 - Int64(argument)
        default: throw .malformed("expected integer")
        }
    }

    /// Reads a text string's byte range.
    mutating func textRange() throws(EventDecodingError) -> Range<Int> {
        let (major, argument) = try head()
        guard major == 3 else { throw .malformed("expected text string") }
        return try take(argument)
    }

    mutating func text() throws(EventDecodingError) -> String {
        let range = try textRange()
        return String(decoding: bytes[range], as: UTF8.self)
    }

    mutating func optionalText() throws(EventDecodingError) -> String? {
        if try peekMajorAndInfo() == 0xF6 {
            position += 1
            return nil
        }
        return try text()
    }

    mutating func optionalTextRange() throws(EventDecodingError) -> Range<Int>? {
        if try peekMajorAndInfo() == 0xF6 {
            position += 1
            return nil
        }
        return try textRange()
    }

    /// Reads a byte string's byte range.
    mutating func byteStringRange() throws(EventDecodingError) -> Range<Int> {
        let (major, argument) = try head()
        guard major == 2 else { throw .malformed("expected byte string") }
        return try take(argument)
    }

    mutating func byteString() throws(EventDecodingError) -> [UInt8] {
        let (major, argument) = try head()
        guard major == 2 else { throw .malformed("expected byte string") }
        return Array(bytes[try take(argument)])
    }

    mutating func bool() throws(EventDecodingError) -> Bool {
        switch try byte() {
        case 0xF4: return false
        case 0xF5: return true
        default: throw .malformed("expected boolean")
        }
    }

    mutating func arrayCount() throws(EventDecodingError) -> Int {
        let (major, argument) = try head()
        guard major == 4, argument <= UInt64(end - position) else { throw .malformed("expected array") }
        return Int(argument)
    }

    mutating func mapCount() throws(EventDecodingError) -> Int {
        let (major, argument) = try head()
        guard major == 5, argument <= UInt64(end - position) else { throw .malformed("expected map") }
        return Int(argument)
    }

    @inline(__always)
    private mutating func take(_ length: UInt64) throws(EventDecodingError) -> Range<Int> {
        guard length <= UInt64(end - position) else { throw .truncated }
        let range = position..<position + Int(length)
        position += Int(length)
        return range
    }

    /// Skips one complete item (of the subset).
    mutating func skip(depth: Int = 0) throws(EventDecodingError) {
        guard depth < 16 else { throw .malformed("nesting too deep") }
        let initial = try peekMajorAndInfo()
        if initial >= 0xF4 && initial <= 0xF7 {
            position += 1
            return
        }
        let (major, argument) = try head()
        switch major {
        case 0, 1: return
        case 2, 3: _ = try take(argument)
        case 4:
            guard argument <= UInt64(end - position) else { throw .truncated }
            for _ in 0..<Int(argument) { try skip(depth: depth + 1) }
        case 5:
            guard argument <= UInt64(end - position) else { throw .truncated }
            for _ in 0..<Int(argument) * 2 { try skip(depth: depth + 1) }
        default: throw .malformed("unsupported major type \(major)")
        }
    }
}

/// Why stored event bytes could not be decoded.
public enum EventDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes end in the middle of an item.
    case truncated
    /// The bytes are not of the expected shape.
    case malformed(String)
    /// A required payload field is missing.
    case missingField(String)
    /// A payload field has the wrong type.
    case wrongType(String)
    /// No decoder knows this event type and version.
    case unknownType(String, Int)

    public var description: String {
        switch self {
        case .truncated: return "truncated event bytes"
        case .malformed(let why): return "malformed event bytes: \(why)"
        case .missingField(let name): return "missing payload field '\(name)'"
        case .wrongType(let name): return "payload field '\(name)' has the wrong type"
        case .unknownType(let type, let version): return "unknown event type \(type) v\(version)"
        }
    }
}
