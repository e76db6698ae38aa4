/// The CBOR subset events use, read strictly (definite lengths only) over a borrowed buffer: the one implementation
/// of that grammar. Hot loops (envelopes, payload maps) scan buffers directly, without retaining an array or
/// bounds-checking through it; ``CBORReader`` is its owning form over an array. Positions are offsets into the
/// buffer.
@usableFromInline package struct CBORScanner {
    @usableFromInline package let base: UnsafePointer<UInt8>
    @usableFromInline package var position: Int
    @usableFromInline package let end: Int

    /// Scans `buffer` from `start` to `end` (or its end). `buffer` must outlive the scanner.
    @inlinable @inline(__always)
    package init(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
        // An empty array may have no storage; any non-null address is fine for zero bytes.
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        position = start
        self.end = end ?? buffer.count
    }

    @inlinable
    package var isAtEnd: Bool { position >= end }

    @inlinable @inline(__always)
    package mutating func head() throws(EventDecodingError) -> (major: UInt8, argument: UInt64) {
        guard position < end else { throw .truncated }
        let initial = base[position]
        position += 1
        let major = initial >> 5
        let info = initial & 0x1F
        if info < 24 { return (major, UInt64(info)) }
        guard info <= 27 else { throw .malformed("unsupported additional information \(info)") }
        let count = 1 << Int(info - 24)
        guard end - position >= count else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<count { value = value << 8 | UInt64(base[position + index]) }
        position += count
        return (major, value)
    }

    @inlinable @inline(__always)
    package func peek() throws(EventDecodingError) -> UInt8 {
        guard position < end else { throw .truncated }
        return base[position]
    }

    @inlinable @inline(__always)
    package mutating func uint() throws(EventDecodingError) -> UInt64 {
        let (major, argument) = try head()
        guard major == 0 else { throw .malformed("expected unsigned integer") }
        return argument
    }

    @inlinable @inline(__always)
    package mutating func int() throws(EventDecodingError) -> Int64 {
        let (major, argument) = try head()
        guard argument <= UInt64(Int64.max) else { throw .malformed("integer out of range") }
        switch major {
        case 0: return Int64(argument)
        case 1: return -1 - Int64(argument)
        default: throw .malformed("expected integer")
        }
    }

    @inlinable @inline(__always)
    package mutating func textRange() throws(EventDecodingError) -> Range<Int> {
        let (major, argument) = try head()
        guard major == 3 else { throw .malformed("expected text string") }
        return try take(argument)
    }

    @inlinable @inline(__always)
    package mutating func optionalTextRange() throws(EventDecodingError) -> Range<Int>? {
        if try peek() == 0xF6 {
            position += 1
            return nil
        }
        return try textRange()
    }

    @inlinable @inline(__always)
    package mutating func byteStringRange() throws(EventDecodingError) -> Range<Int> {
        let (major, argument) = try head()
        guard major == 2 else { throw .malformed("expected byte string") }
        return try take(argument)
    }

    @inlinable @inline(__always)
    package mutating func bool() throws(EventDecodingError) -> Bool {
        let initial = try peek()
        guard initial == 0xF4 || initial == 0xF5 else { throw .malformed("expected boolean") }
        position += 1
        return initial == 0xF5
    }

    @inlinable @inline(__always)
    package mutating func arrayCount() throws(EventDecodingError) -> Int {
        let (major, argument) = try head()
        guard major == 4, argument <= UInt64(end - position) else { throw .malformed("expected array") }
        return Int(argument)
    }

    @inlinable @inline(__always)
    package mutating func mapCount() throws(EventDecodingError) -> Int {
        let (major, argument) = try head()
        guard major == 5, argument <= UInt64(end - position) else { throw .malformed("expected map") }
        return Int(argument)
    }

    @inlinable @inline(__always)
    package mutating func take(_ length: UInt64) throws(EventDecodingError) -> Range<Int> {
        guard length <= UInt64(end - position) else { throw .truncated }
        let range = position..<position + Int(length)
        position += Int(length)
        return range
    }

    /// Skips one complete item (of the subset), at most 16 levels deep.
    @inlinable
    package mutating func skip(depth: Int = 0) throws(EventDecodingError) {
        guard depth < 16 else { throw .malformed("nesting too deep") }
        let initial = try peek()
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

    /// Whether the bytes in `range` equal `other`.
    @inlinable @inline(__always)
    package func bytes(_ range: Range<Int>, equal other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard range.count == other.count else { return false }
        for index in 0..<other.count where base[range.lowerBound + index] != other[index] { return false }
        return true
    }
}
