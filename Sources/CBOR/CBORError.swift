/// Why ``CBORDecoder`` rejected its input.
///
/// Every case carries `offset`: the zero-based byte offset, within the input given to the
/// decoder, of the data item (its initial byte) or the byte the problem was found at. The
/// offset is described per case.
public enum CBORError: Error, Equatable, Hashable, Sendable {
    /// The input is longer than ``CBORDecoder/Limits/maxInputSize``; `offset` is the limit
    /// (the first byte beyond what the decoder accepts).
    case inputTooLarge(offset: Int, size: Int, limit: Int)
    /// The input ended inside the data item that starts at `offset` (its head, its string
    /// payload, or its nested items). An empty input is reported at offset 0.
    case truncated(offset: Int)
    /// The initial byte at `offset` uses a reserved additional-information value (28, 29 or 30).
    case reservedAdditionalInformation(offset: Int)
    /// The initial byte at `offset` has additional information 31 (indefinite length) on a
    /// major type that has no indefinite form (unsigned, negative or tag).
    case invalidIndefiniteLength(offset: Int)
    /// A "break" stop code (0xff) at `offset` where no indefinite-length item is open, or in
    /// the value position of an indefinite-length map.
    case unexpectedBreak(offset: Int)
    /// An indefinite-length item starts at `offset` but the decoder does not allow them
    /// (``CBORDecoder/allowIndefinite`` is off, or ``CBORDecoder/requireCanonical`` is on).
    case indefiniteLengthNotAllowed(offset: Int)
    /// A chunk of an indefinite-length string at `offset` is not a definite-length string of
    /// the same major type.
    case invalidStringChunk(offset: Int)
    /// A two-byte simple value (0xf8) at `offset` encodes a value below 32.
    case invalidSimpleValue(offset: Int)
    /// A text string contains invalid UTF-8; `offset` is the first byte of the bad sequence.
    case invalidUTF8(offset: Int)
    /// The map key at `offset` equals an earlier key of the same map (CBOR data-model equality).
    case duplicateMapKey(offset: Int)
    /// A complete data item was decoded but input remains, starting at `offset`.
    case trailingBytes(offset: Int)
    /// The array, map or tag at `offset` would nest deeper than ``CBORDecoder/Limits/maxDepth``.
    case nestingTooDeep(offset: Int, limit: Int)
    /// The array or map at `offset` has more than ``CBORDecoder/Limits/maxItemsPerContainer``
    /// items (for maps: key/value pairs). `count` is the declared count, or for an
    /// indefinite-length item the count at which decoding stopped.
    case tooManyItems(offset: Int, count: UInt64, limit: Int)
    /// The string at `offset` is longer than ``CBORDecoder/Limits/maxStringLength`` bytes (for
    /// indefinite-length strings: the total of its chunks so far).
    case stringTooLong(offset: Int, length: UInt64, limit: Int)
    /// (``CBORDecoder/requireCanonical`` only.) The item at `offset` has an argument (integer,
    /// length, count, tag number or float) that is not in its shortest form.
    case notShortestForm(offset: Int)
    /// (``CBORDecoder/requireCanonical`` only.) The map key at `offset` does not sort strictly
    /// after the previous key by the bytewise order of their encodings (RFC 8949 §4.2.1).
    case unsortedMapKeys(offset: Int)

    /// The byte offset carried by every case.
    public var offset: Int {
        switch self {
        case let .inputTooLarge(offset, _, _),
             let .nestingTooDeep(offset, _),
             let .tooManyItems(offset, _, _),
             let .stringTooLong(offset, _, _):
            return offset
        case let .truncated(offset),
             let .reservedAdditionalInformation(offset),
             let .invalidIndefiniteLength(offset),
             let .unexpectedBreak(offset),
             let .indefiniteLengthNotAllowed(offset),
             let .invalidStringChunk(offset),
             let .invalidSimpleValue(offset),
             let .invalidUTF8(offset),
             let .duplicateMapKey(offset),
             let .trailingBytes(offset),
             let .notShortestForm(offset),
             let .unsortedMapKeys(offset):
            return offset
        }
    }
}
