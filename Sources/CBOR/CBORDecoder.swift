/// A strict decoder from bytes to ``CBORValue`` (RFC 8949).
///
/// By default the decoder accepts exactly one well-formed data item and:
/// - rejects everything that is not well-formed (RFC 8949 §3 and Appendix F): truncated items,
///   reserved additional information 28–30, two-byte simple values below 32, "break" outside an
///   indefinite-length item, bad indefinite-length string chunks, invalid UTF-8 in text strings;
/// - rejects trailing bytes after the item (use ``decodePrefix(_:)`` to
///   decode a leading item and learn how many bytes it used);
/// - rejects indefinite-length items unless ``allowIndefinite`` is set;
/// - rejects maps with duplicate keys (CBOR data-model equality, so `1` encoded as `0x01` and
///   as `0x18 0x01` are duplicates);
/// - enforces ``Limits`` on input size, nesting depth, items per container and string length.
///
/// With ``requireCanonical`` it also requires RFC 8949 §4.2.1 core deterministic encoding:
/// shortest-form arguments, preferred (shortest exact) float widths, no indefinite lengths,
/// and map keys in strictly increasing bytewise order of their encodings.
///
/// The decoder never traps on any input: all lengths are checked before use and every
/// failure is a ``CBORError``.
public struct CBORDecoder: Sendable {
    /// Resource limits enforced while decoding, so hostile input cannot exhaust memory or stack.
    public struct Limits: Sendable, Hashable {
        /// The largest supported ``maxDepth``; larger values are treated as this one, so the
        /// decoder's recursion stays bounded on any thread.
        public static let maxSupportedDepth = 256

        /// The maximum number of nested containers (arrays, maps and tags). A top-level array
        /// is at depth 1, so the default 16 accepts sixteen nested arrays and rejects seventeen.
        /// Values above ``maxSupportedDepth`` act as ``maxSupportedDepth``.
        public var maxDepth: Int
        /// The maximum input length in bytes; longer inputs are rejected before decoding.
        public var maxInputSize: Int
        /// The maximum number of elements of one array, or key/value pairs of one map.
        public var maxItemsPerContainer: Int
        /// The maximum length in bytes of one byte or text string (for indefinite-length
        /// strings, of all chunks together).
        public var maxStringLength: Int

        /// Creates limits; the defaults are depth 16, 64 KiB of input, 1024 items per
        /// container and 16 KiB per string.
        public init(
            maxDepth: Int = 16,
            maxInputSize: Int = 64 * 1024,
            maxItemsPerContainer: Int = 1024,
            maxStringLength: Int = 16 * 1024
        ) {
            self.maxDepth = maxDepth
            self.maxInputSize = maxInputSize
            self.maxItemsPerContainer = maxItemsPerContainer
            self.maxStringLength = maxStringLength
        }
    }

    /// The resource limits.
    public var limits: Limits
    /// Whether indefinite-length strings, arrays and maps are accepted (off by default).
    /// Ignored (treated as off) when ``requireCanonical`` is set.
    public var allowIndefinite: Bool
    /// Whether to require core deterministic encoding (RFC 8949 §4.2.1).
    public var requireCanonical: Bool

    /// Creates a decoder.
    /// - Parameters:
    ///   - limits: resource limits (defaults: see ``Limits/init(maxDepth:maxInputSize:maxItemsPerContainer:maxStringLength:)``).
    ///   - allowIndefinite: accept indefinite-length items.
    ///   - requireCanonical: require core deterministic encoding.
    public init(limits: Limits = Limits(), allowIndefinite: Bool = false, requireCanonical: Bool = false) {
        self.limits = limits
        self.allowIndefinite = allowIndefinite
        self.requireCanonical = requireCanonical
    }

    /// Decodes `bytes`, which must hold exactly one data item and nothing after it.
    /// - Throws: ``CBORError``; ``CBORError/trailingBytes(offset:)`` if input remains.
    public func decode(_ bytes: [UInt8]) throws(CBORError) -> CBORValue {
        let (value, consumed) = try decodePrefix(bytes)
        guard consumed == bytes.count else { throw .trailingBytes(offset: consumed) }
        return value
    }

    /// Decodes `bytes`, which must hold exactly one data item and nothing after it. Offsets in
    /// errors are relative to the slice's first byte.
    /// - Throws: ``CBORError``; ``CBORError/trailingBytes(offset:)`` if input remains.
    public func decode(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> CBORValue {
        try checkSize(bytes.count)
        return try decode(Array(bytes))
    }

    /// Decodes the data item at the start of `bytes` and reports how many bytes it used;
    /// anything after it is left alone. This is for formats that embed a CBOR item followed by
    /// other data, such as WebAuthn authenticator data (a COSE key followed by extensions).
    ///
    /// ``Limits/maxInputSize`` applies to the whole of `bytes`, not just the item.
    /// - Returns: the value and `consumed`, the length of its encoding.
    /// - Throws: ``CBORError``.
    public func decodePrefix(_ bytes: [UInt8]) throws(CBORError) -> (value: CBORValue, consumed: Int) {
        try checkSize(bytes.count)
        var parser = Parser(
            bytes: bytes,
            limits: limits,
            allowIndefinite: allowIndefinite && !requireCanonical,
            requireCanonical: requireCanonical
        )
        let value = try parser.item(depth: 0)
        return (value, parser.position)
    }

    /// Decodes the data item at the start of `bytes` (see the `[UInt8]` overload).
    /// `consumed` and error offsets are relative to the slice's first byte.
    /// - Throws: ``CBORError``.
    public func decodePrefix(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> (value: CBORValue, consumed: Int) {
        try checkSize(bytes.count)
        return try decodePrefix(Array(bytes))
    }

    private func checkSize(_ size: Int) throws(CBORError) {
        let limit = max(0, limits.maxInputSize)
        guard size <= limit else { throw .inputTooLarge(offset: limit, size: size, limit: limit) }
    }
}

/// The recursive-descent state of one decode call.
private struct Parser {
    /// A decoded initial byte and argument.
    struct Head {
        /// Offset of the initial byte.
        let start: Int
        /// Major type, 0...7.
        let major: UInt8
        /// Additional information, 0...27 or 31.
        let info: UInt8
        /// The argument (0 for additional information 31).
        let argument: UInt64

        var isIndefinite: Bool { info == 31 }
    }

    let bytes: [UInt8]
    private(set) var position = 0
    let maxDepth: Int
    let maxItems: Int
    let maxStringLength: Int
    let allowIndefinite: Bool
    let requireCanonical: Bool

    init(bytes: [UInt8], limits: CBORDecoder.Limits, allowIndefinite: Bool, requireCanonical: Bool) {
        self.bytes = bytes
        self.maxDepth = min(limits.maxDepth, CBORDecoder.Limits.maxSupportedDepth)
        self.maxItems = max(0, limits.maxItemsPerContainer)
        self.maxStringLength = max(0, limits.maxStringLength)
        self.allowIndefinite = allowIndefinite
        self.requireCanonical = requireCanonical
    }

    private var remaining: Int { bytes.count &- position }

    /// Reads one initial byte and its argument, checking well-formedness of the head only.
    mutating func readHead() throws(CBORError) -> Head {
        let start = position
        guard position < bytes.count else { throw .truncated(offset: start) }
        let initial = bytes[position]
        position &+= 1
        let major = initial >> 5
        let info = initial & 0x1F
        var argument: UInt64 = 0
        switch info {
        case 0...23:
            argument = UInt64(info)
        case 24...27:
            let size = 1 << Int(info - 24)
            guard remaining >= size else { throw .truncated(offset: start) }
            for index in position..<(position &+ size) {
                argument = argument << 8 | UInt64(bytes[index])
            }
            position &+= size
            if requireCanonical && major != 7 {
                let minimum: UInt64
                switch info {
                case 24: minimum = 24
                case 25: minimum = 0x100
                case 26: minimum = 0x1_0000
                default: minimum = 0x1_0000_0000
                }
                guard argument >= minimum else { throw .notShortestForm(offset: start) }
            }
        case 28...30:
            throw .reservedAdditionalInformation(offset: start)
        default:
            break
        }
        return Head(start: start, major: major, info: info, argument: argument)
    }

    /// Decodes one data item whose enclosing containers number `depth`.
    mutating func item(depth: Int) throws(CBORError) -> CBORValue {
        let head = try readHead()
        switch head.major {
        case 0:
            guard !head.isIndefinite else { throw .invalidIndefiniteLength(offset: head.start) }
            return .unsigned(head.argument)
        case 1:
            guard !head.isIndefinite else { throw .invalidIndefiniteLength(offset: head.start) }
            return .negative(head.argument)
        case 2:
            return .byteString(try string(head))
        case 3:
            // `string` has validated the UTF-8, so decoding cannot substitute anything.
            return .textString(String(decoding: try string(head), as: UTF8.self))
        case 4:
            return try array(head, depth: depth)
        case 5:
            return try map(head, depth: depth)
        case 6:
            guard !head.isIndefinite else { throw .invalidIndefiniteLength(offset: head.start) }
            try checkDepth(depth, head)
            return .tagged(head.argument, try item(depth: depth &+ 1))
        default:
            return try simpleOrFloat(head)
        }
    }

    private func checkDepth(_ depth: Int, _ head: Head) throws(CBORError) {
        guard depth < maxDepth else { throw .nestingTooDeep(offset: head.start, limit: maxDepth) }
    }

    private func checkIndefiniteAllowed(_ head: Head) throws(CBORError) {
        guard allowIndefinite else { throw .indefiniteLengthNotAllowed(offset: head.start) }
    }

    /// Consumes a definite-length string payload of `head.argument` bytes and returns its range.
    private mutating func payload(_ head: Head) throws(CBORError) -> Range<Int> {
        guard head.argument <= UInt64(maxStringLength) else {
            throw .stringTooLong(offset: head.start, length: head.argument, limit: maxStringLength)
        }
        let length = Int(head.argument)
        guard remaining >= length else { throw .truncated(offset: head.start) }
        let range = position..<(position &+ length)
        position &+= length
        if head.major == 3, let bad = UTF8Validation.firstInvalidIndex(in: bytes, from: range.lowerBound, to: range.upperBound) {
            throw .invalidUTF8(offset: bad)
        }
        return range
    }

    /// Decodes a byte or text string (major type 2 or 3), definite or indefinite length.
    private mutating func string(_ head: Head) throws(CBORError) -> [UInt8] {
        guard head.isIndefinite else { return Array(bytes[try payload(head)]) }
        try checkIndefiniteAllowed(head)
        var result: [UInt8] = []
        while true {
            guard position < bytes.count else { throw .truncated(offset: head.start) }
            if bytes[position] == 0xFF {
                position &+= 1
                return result
            }
            let chunk = try readHead()
            guard chunk.major == head.major && !chunk.isIndefinite else {
                throw .invalidStringChunk(offset: chunk.start)
            }
            let (total, overflow) = UInt64(result.count).addingReportingOverflow(chunk.argument)
            guard !overflow && total <= UInt64(maxStringLength) else {
                throw .stringTooLong(offset: head.start, length: overflow ? .max : total, limit: maxStringLength)
            }
            result.append(contentsOf: bytes[try payload(chunk)])
        }
    }

    /// Checks a definite count against the item limit and the bytes left (each item needs at
    /// least `minimumBytesPerItem` bytes), returning it as an `Int`.
    private func definiteCount(_ head: Head, minimumBytesPerItem: Int) throws(CBORError) -> Int {
        guard head.argument <= UInt64(maxItems) else {
            throw .tooManyItems(offset: head.start, count: head.argument, limit: maxItems)
        }
        let count = Int(head.argument)
        let (needed, overflow) = count.multipliedReportingOverflow(by: minimumBytesPerItem)
        guard !overflow && remaining >= needed else { throw .truncated(offset: head.start) }
        return count
    }

    /// Returns `true` (consuming it) if the next byte is a break; throws if input has ended.
    private mutating func atBreak(_ head: Head) throws(CBORError) -> Bool {
        guard position < bytes.count else { throw .truncated(offset: head.start) }
        guard bytes[position] == 0xFF else { return false }
        position &+= 1
        return true
    }

    private mutating func array(_ head: Head, depth: Int) throws(CBORError) -> CBORValue {
        try checkDepth(depth, head)
        var items: [CBORValue] = []
        if head.isIndefinite {
            try checkIndefiniteAllowed(head)
            while try !atBreak(head) {
                guard items.count < maxItems else {
                    throw .tooManyItems(offset: head.start, count: UInt64(items.count) &+ 1, limit: maxItems)
                }
                items.append(try item(depth: depth &+ 1))
            }
        } else {
            let count = try definiteCount(head, minimumBytesPerItem: 1)
            items.reserveCapacity(count)
            for _ in 0..<count {
                items.append(try item(depth: depth &+ 1))
            }
        }
        return .array(items)
    }

    private mutating func map(_ head: Head, depth: Int) throws(CBORError) -> CBORValue {
        try checkDepth(depth, head)
        var entries: [(key: CBORValue, value: CBORValue)] = []
        var seen = Set<CBORValue>()
        var previousKey: Range<Int>? = nil

        func entry(_ parser: inout Parser) throws(CBORError) {
            let keyStart = parser.position
            let key = try parser.item(depth: depth &+ 1)
            let keyRange = keyStart..<parser.position
            if parser.requireCanonical, let previous = previousKey {
                let before = parser.bytes[previous], current = parser.bytes[keyRange]
                if !before.lexicographicallyPrecedes(current) {
                    throw before.elementsEqual(current)
                        ? .duplicateMapKey(offset: keyStart)
                        : .unsortedMapKeys(offset: keyStart)
                }
            }
            guard seen.insert(key).inserted else { throw .duplicateMapKey(offset: keyStart) }
            previousKey = keyRange
            let value = try parser.item(depth: depth &+ 1)
            entries.append((key: key, value: value))
        }

        if head.isIndefinite {
            try checkIndefiniteAllowed(head)
            while try !atBreak(head) {
                guard entries.count < maxItems else {
                    throw .tooManyItems(offset: head.start, count: UInt64(entries.count) &+ 1, limit: maxItems)
                }
                try entry(&self)
            }
        } else {
            let count = try definiteCount(head, minimumBytesPerItem: 2)
            entries.reserveCapacity(count)
            seen.reserveCapacity(count)
            for _ in 0..<count {
                try entry(&self)
            }
        }
        return .map(entries)
    }

    private func simpleOrFloat(_ head: Head) throws(CBORError) -> CBORValue {
        let value: Double
        switch head.info {
        case 0...19: return .simple(head.info)
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 24:
            guard head.argument >= 32 else { throw .invalidSimpleValue(offset: head.start) }
            return .simple(UInt8(truncatingIfNeeded: head.argument))
        case 25:
            value = FloatWidth.double(fromHalf: UInt16(truncatingIfNeeded: head.argument))
        case 26:
            value = FloatWidth.double(fromSingle: UInt32(truncatingIfNeeded: head.argument))
        case 27:
            value = Double(bitPattern: head.argument)
        default:
            throw .unexpectedBreak(offset: head.start)
        }
        if requireCanonical {
            let preferred: UInt8
            switch FloatWidth.shortest(value) {
            case .half: preferred = 25
            case .single: preferred = 26
            case .double: preferred = 27
            }
            guard preferred == head.info else { throw .notShortestForm(offset: head.start) }
        }
        return .float(value)
    }
}
