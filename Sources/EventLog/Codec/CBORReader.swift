/// Reads the CBOR subset events use, strictly (definite lengths only; callers refuse trailing bytes), from an array
/// it keeps: the owning form of ``CBORScanner``, which holds the one implementation of the grammar. Each read lends
/// the array's storage to a scanner at the current position.
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

    /// Runs `read` on a scanner at the current position and moves past what it read.
    @inline(__always)
    private mutating func scan<R>(_ read: (inout CBORScanner) throws(EventDecodingError) -> R) throws(EventDecodingError) -> R {
        let start = position
        let end = end
        let outcome = bytes.withUnsafeBufferPointer { buffer -> Result<(R, Int), EventDecodingError> in
            var scanner = CBORScanner(buffer, from: start, to: end)
            do throws(EventDecodingError) {
                let value = try read(&scanner)
                return .success((value, scanner.position))
            } catch {
                return .failure(error)
            }
        }
        let (value, next) = try outcome.get()
        position = next
        return value
    }

    /// The next byte, not consumed.
    func peekMajorAndInfo() throws(EventDecodingError) -> UInt8 {
        guard position < end else { throw .truncated }
        return bytes[position]
    }

    mutating func uint() throws(EventDecodingError) -> UInt64 { try scan { scanner throws(EventDecodingError) in try scanner.uint() } }

    mutating func int() throws(EventDecodingError) -> Int64 { try scan { scanner throws(EventDecodingError) in try scanner.int() } }

    /// Reads a text string's byte range.
    mutating func textRange() throws(EventDecodingError) -> Range<Int> {
        try scan { scanner throws(EventDecodingError) in try scanner.textRange() }
    }

    mutating func optionalTextRange() throws(EventDecodingError) -> Range<Int>? {
        try scan { scanner throws(EventDecodingError) in try scanner.optionalTextRange() }
    }

    /// Reads a byte string's byte range.
    mutating func byteStringRange() throws(EventDecodingError) -> Range<Int> {
        try scan { scanner throws(EventDecodingError) in try scanner.byteStringRange() }
    }

    mutating func text() throws(EventDecodingError) -> String {
        String(decoding: bytes[try textRange()], as: UTF8.self)
    }

    mutating func optionalText() throws(EventDecodingError) -> String? {
        try optionalTextRange().map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    mutating func byteString() throws(EventDecodingError) -> [UInt8] { Array(bytes[try byteStringRange()]) }

    mutating func bool() throws(EventDecodingError) -> Bool { try scan { scanner throws(EventDecodingError) in try scanner.bool() } }

    mutating func arrayCount() throws(EventDecodingError) -> Int {
        try scan { scanner throws(EventDecodingError) in try scanner.arrayCount() }
    }

    mutating func mapCount() throws(EventDecodingError) -> Int { try scan { scanner throws(EventDecodingError) in try scanner.mapCount() } }

    /// Skips one complete item (of the subset).
    mutating func skip() throws(EventDecodingError) { try scan { scanner throws(EventDecodingError) in try scanner.skip() } }
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
