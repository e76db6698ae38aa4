import Testing

@testable import CBOR

@Suite("Decoder strictness")
struct DecoderStrictnessTests {
    let decoder = CBORDecoder()

    // MARK: Duplicate keys

    @Test("duplicate map keys are rejected at the offset of the second key")
    func duplicateKeys() {
        #expect(decodeError(decoder, [0xA2, 0x01, 0x00, 0x01, 0x00]) == .duplicateMapKey(offset: 3))
        // {"a": 0, "a": 1}
        #expect(decodeError(decoder, [0xA2, 0x61, 0x61, 0x00, 0x61, 0x61, 0x01]) == .duplicateMapKey(offset: 4))
        // Same data-model value with a non-shortest encoding: 1 and 0x18 0x01.
        #expect(decodeError(decoder, [0xA2, 0x01, 0x00, 0x18, 0x01, 0x00]) == .duplicateMapKey(offset: 3))
        // 1.5 as half and as single.
        #expect(decodeError(decoder, [0xA2, 0xF9, 0x3E, 0x00, 0x00, 0xFA, 0x3F, 0xC0, 0x00, 0x00, 0x00]) == .duplicateMapKey(offset: 5))
        // Structured keys: [1] twice.
        #expect(decodeError(decoder, [0xA2, 0x81, 0x01, 0x00, 0x81, 0x01, 0x00]) == .duplicateMapKey(offset: 4))
        // In a nested map.
        #expect(decodeError(decoder, [0x81, 0xA2, 0x20, 0x00, 0x20, 0x00]) == .duplicateMapKey(offset: 4))
        // In an indefinite-length map.
        #expect(decodeError(CBORDecoder(allowIndefinite: true), [0xBF, 0x01, 0x00, 0x01, 0x00, 0xFF]) == .duplicateMapKey(offset: 3))
    }

    @Test("keys that differ in the data model are not duplicates")
    func distinctKeys() throws {
        // {1: 0, 1.0: 0, "1": 0, -1: 0, 0.0: 0, -0.0: 0, h'01': 0}
        let bytes: [UInt8] = [0xA7, 0x01, 0x00, 0xF9, 0x3C, 0x00, 0x00, 0x61, 0x31, 0x00, 0x20, 0x00,
                              0xF9, 0x00, 0x00, 0x00, 0xF9, 0x80, 0x00, 0x00, 0x41, 0x01, 0x00]
        let value = try decoder.decode(bytes)
        #expect(value.entries?.count == 7)
    }

    // MARK: Trailing bytes and prefixes

    @Test("trailing bytes are rejected at the first extra byte")
    func trailingBytes() {
        #expect(decodeError(decoder, [0x00, 0x00]) == .trailingBytes(offset: 1))
        #expect(decodeError(decoder, [0x82, 0x01, 0x02, 0xFF]) == .trailingBytes(offset: 3))
        #expect(decodeError(decoder, [0xA1, 0x01, 0x02, 0xA0]) == .trailingBytes(offset: 3))
    }

    @Test("empty input is truncated at offset 0")
    func emptyInput() {
        #expect(decodeError(decoder, []) == .truncated(offset: 0))
        #expect(throws: CBORError.truncated(offset: 0)) { try decoder.decodePrefix([UInt8]()) }
    }

    @Test("decodePrefix returns the leading item and its length, as for authenticator data")
    func decodePrefix() throws {
        // A COSE EC2 key {1: 2, 3: -7, -1: 1, -2: h'..32 bytes..', -3: h'..32 bytes..'}
        // followed by an extensions map {"credProtect": 2}, as in authenticator data with AT and ED set.
        let x = [UInt8](repeating: 0x11, count: 32), y = [UInt8](repeating: 0x22, count: 32)
        let coseKey: CBORValue = [1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)]
        let extensions: CBORValue = ["credProtect": 2]
        let keyBytes = try encoded(coseKey)
        let authData = [UInt8](repeating: 0xAB, count: 37) + keyBytes + (try encoded(extensions))

        let tail = authData[37...]
        let (value, consumed) = try decoder.decodePrefix(tail)
        #expect(value == coseKey)
        #expect(consumed == keyBytes.count)
        #expect(try decoder.decode(tail.dropFirst(consumed)) == extensions)
        // The same through the array overload.
        let (arrayValue, arrayConsumed) = try decoder.decodePrefix(Array(tail))
        #expect(arrayValue == coseKey && arrayConsumed == consumed)
        // decode() of the whole tail refuses the extensions as trailing bytes.
        #expect(throws: CBORError.trailingBytes(offset: keyBytes.count)) { try decoder.decode(tail) }
        // A truncated key is still an error in prefix mode.
        #expect(throws: CBORError.self) { try decoder.decodePrefix(Array(keyBytes.dropLast())) }
    }

    @Test("errors in a slice are reported relative to the slice")
    func sliceOffsets() {
        let bytes: [UInt8] = [0xEE, 0xEE, 0x82, 0x00, 0x1C]
        #expect(throws: CBORError.reservedAdditionalInformation(offset: 2)) { try decoder.decode(bytes[2...]) }
    }

    // MARK: Depth

    @Test("nesting depth: 16 levels accepted by default, 17 rejected; tags and maps count")
    func depthLimit() throws {
        let deepest = [UInt8](repeating: 0x81, count: 16) + [0x00]
        #expect(try decoder.decode(deepest).items != nil)
        let tooDeep = [UInt8](repeating: 0x81, count: 17) + [0x00]
        #expect(decodeError(decoder, tooDeep) == .nestingTooDeep(offset: 16, limit: 16))

        let tags = [UInt8](repeating: 0xC1, count: 17) + [0x00]
        #expect(decodeError(decoder, tags) == .nestingTooDeep(offset: 16, limit: 16))
        #expect(try decoder.decode(Array(tags.dropFirst())).tagNumber == 1)

        // {0: {0: {0: 0}}} with a limit of 2.
        let maps: [UInt8] = [0xA1, 0x00, 0xA1, 0x00, 0xA1, 0x00, 0x00]
        #expect(decodeError(CBORDecoder(limits: .init(maxDepth: 2)), maps) == .nestingTooDeep(offset: 4, limit: 2))
        #expect(throws: Never.self) { try CBORDecoder(limits: .init(maxDepth: 3)).decode(maps) }
        // Depth 0 allows only scalars.
        #expect(decodeError(CBORDecoder(limits: .init(maxDepth: 0)), [0x80]) == .nestingTooDeep(offset: 0, limit: 0))
        #expect(throws: Never.self) { try CBORDecoder(limits: .init(maxDepth: 0)).decode([0x01]) }
    }

    @Test("very large depth limits are clamped so recursion stays bounded")
    func depthClamp() {
        let limit = CBORDecoder.Limits.maxSupportedDepth
        let decoder = CBORDecoder(limits: .init(maxDepth: .max))
        let bytes = [UInt8](repeating: 0x81, count: 10_000) + [0x00]
        #expect(decodeError(decoder, bytes) == .nestingTooDeep(offset: limit, limit: limit))
    }

    // MARK: Size limits

    @Test("input size limit")
    func inputSizeLimit() throws {
        let limits = CBORDecoder.Limits(maxInputSize: 10)
        // 10 bytes (exactly the limit) are accepted, 11 are not.
        #expect(try CBORDecoder(limits: limits).decode([0x49] + [UInt8](repeating: 0, count: 9)).bytes?.count == 9)
        #expect(decodeError(CBORDecoder(limits: limits), [0x4A] + [UInt8](repeating: 0, count: 10)) == .inputTooLarge(offset: 10, size: 11, limit: 10))
        // Default: 64 KiB.
        let big = [0x5A, 0x00, 0x01, 0x00, 0x00] + [UInt8](repeating: 0, count: 65_536)
        #expect(decodeError(decoder, big) == .inputTooLarge(offset: 65_536, size: 65_541, limit: 65_536))
        // The limit also applies to decodePrefix, over the whole input.
        #expect(throws: CBORError.inputTooLarge(offset: 10, size: 11, limit: 10)) {
            try CBORDecoder(limits: limits).decodePrefix([UInt8](repeating: 0, count: 11))
        }
    }

    @Test("items per container limit (arrays, maps, indefinite arrays)")
    func itemLimit() throws {
        let atLimit = [0x99, 0x04, 0x00] + [UInt8](repeating: 0x00, count: 1024)
        #expect(try decoder.decode(atLimit).items?.count == 1024)
        let overLimit = [0x99, 0x04, 0x01] + [UInt8](repeating: 0x00, count: 1025)
        #expect(decodeError(decoder, overLimit) == .tooManyItems(offset: 0, count: 1025, limit: 1024))

        var map: [UInt8] = [0xB9, 0x04, 0x01]
        for key in 0..<1025 { map += [0x19, UInt8(key >> 8), UInt8(key & 0xFF), 0x00] }
        #expect(decodeError(decoder, map) == .tooManyItems(offset: 0, count: 1025, limit: 1024))

        let small = CBORDecoder(limits: .init(maxItemsPerContainer: 2), allowIndefinite: true)
        #expect(decodeError(small, [0x9F, 0x01, 0x02, 0x03, 0xFF]) == .tooManyItems(offset: 0, count: 3, limit: 2))
        #expect(decodeError(small, [0xBF, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0xFF]) == .tooManyItems(offset: 0, count: 3, limit: 2))
        #expect(try small.decode([0x9F, 0x01, 0x02, 0xFF]).items?.count == 2)

        // Declared counts far beyond the input fail fast, before any allocation.
        #expect(decodeError(decoder, [0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == .tooManyItems(offset: 0, count: .max, limit: 1024))
        #expect(decodeError(decoder, [0x99, 0x03, 0xE8, 0x00]) == .truncated(offset: 0))
        #expect(decodeError(decoder, [0xA2, 0x00, 0x00]) == .truncated(offset: 0))
    }

    @Test("string length limit (definite and indefinite, bytes and text)")
    func stringLimit() throws {
        let atLimit = [0x59, 0x40, 0x00] + [UInt8](repeating: 0x41, count: 16_384)
        #expect(try decoder.decode(atLimit).bytes?.count == 16_384)
        let text = [0x79, 0x40, 0x01] + [UInt8](repeating: 0x41, count: 16_385)
        #expect(decodeError(decoder, text) == .stringTooLong(offset: 0, length: 16_385, limit: 16_384))
        #expect(decodeError(decoder, [0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]) == .stringTooLong(offset: 0, length: .max, limit: 16_384))
        // A length within the limit but beyond the input is truncation.
        #expect(decodeError(decoder, [0x78, 0x20, 0x41]) == .truncated(offset: 0))

        let small = CBORDecoder(limits: .init(maxStringLength: 4), allowIndefinite: true)
        // (_ h'0102', h'030405') has 5 bytes in total.
        #expect(decodeError(small, [0x5F, 0x42, 0x01, 0x02, 0x43, 0x03, 0x04, 0x05, 0xFF]) == .stringTooLong(offset: 0, length: 5, limit: 4))
        // A chunk whose declared length would overflow the running total.
        #expect(decodeError(small, [0x5F, 0x41, 0x00, 0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == .stringTooLong(offset: 0, length: .max, limit: 4))
    }

    // MARK: Well-formedness details

    @Test("invalid UTF-8 in text strings is rejected at the bad byte")
    func invalidUTF8() throws {
        #expect(decodeError(decoder, [0x62, 0xC3, 0x28]) == .invalidUTF8(offset: 1))  // bad continuation
        #expect(decodeError(decoder, [0x62, 0xC0, 0x80]) == .invalidUTF8(offset: 1))  // overlong NUL
        #expect(decodeError(decoder, [0x63, 0xE0, 0x80, 0x80]) == .invalidUTF8(offset: 1))  // overlong
        #expect(decodeError(decoder, [0x64, 0x61, 0xED, 0xA0, 0x80]) == .invalidUTF8(offset: 2))  // surrogate D800
        #expect(decodeError(decoder, [0x64, 0xF4, 0x90, 0x80, 0x80]) == .invalidUTF8(offset: 1))  // above U+10FFFF
        #expect(decodeError(decoder, [0x61, 0xC3]) == .invalidUTF8(offset: 1))  // sequence cut by the length
        #expect(decodeError(decoder, [0x61, 0xFF]) == .invalidUTF8(offset: 1))
        #expect(decodeError(decoder, [0x61, 0x80]) == .invalidUTF8(offset: 1))  // lone continuation
        // A code point split across chunks of an indefinite-length string.
        #expect(decodeError(CBORDecoder(allowIndefinite: true), [0x7F, 0x61, 0xC3, 0x61, 0xBC, 0xFF]) == .invalidUTF8(offset: 2))
        // Boundary scalars are fine: U+0000, U+D7FF, U+E000, U+10FFFF.
        let text = try decoder.decode([0x6B, 0x00, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF]).text
        #expect(text == "\u{0}\u{D7FF}\u{E000}\u{10FFFF}")
        // Byte strings are not checked.
        #expect(try decoder.decode([0x41, 0xFF]).bytes == [0xFF])
    }

    @Test("simple values: one-byte 0...19, two-byte 32...255; two-byte below 32 rejected")
    func simpleValues() throws {
        for value in UInt8(0)...19 {
            #expect(try decoder.decode([0xE0 | value]) == .simple(value))
        }
        for value in UInt8(0)..<32 {
            #expect(decodeError(decoder, [0xF8, value]) == .invalidSimpleValue(offset: 0))
        }
        for value in UInt8(32)...255 {
            #expect(try decoder.decode([0xF8, value]) == .simple(value))
        }
        #expect(try decoder.decode([0x82, 0xF4, 0xF7]) == .array([.bool(false), .undefined]))
    }

    @Test("reserved additional information and stray breaks are reported with offsets")
    func reservedAndBreak() {
        for major in UInt8(0)..<8 {
            for info in UInt8(28)...30 {
                #expect(decodeError(decoder, [0x82, 0x00, major << 5 | info]) == .reservedAdditionalInformation(offset: 2))
            }
        }
        #expect(decodeError(decoder, [0xFF]) == .unexpectedBreak(offset: 0))
        #expect(decodeError(decoder, [0x82, 0x00, 0xFF]) == .unexpectedBreak(offset: 2))
        #expect(decodeError(decoder, [0xC0, 0xFF]) == .unexpectedBreak(offset: 1))
        #expect(decodeError(CBORDecoder(allowIndefinite: true), [0xBF, 0x00, 0xFF]) == .unexpectedBreak(offset: 2))
        for initial: UInt8 in [0x1F, 0x3F, 0xDF] {
            #expect(decodeError(CBORDecoder(allowIndefinite: true), [initial]) == .invalidIndefiniteLength(offset: 0))
        }
        #expect(decodeError(CBORDecoder(allowIndefinite: true), [0x5F, 0x61, 0x00, 0xFF]) == .invalidStringChunk(offset: 1))
    }

    @Test("truncation is reported at the start of the truncated item")
    func truncation() {
        #expect(decodeError(decoder, [0x82, 0x00, 0x19, 0x01]) == .truncated(offset: 2))
        #expect(decodeError(decoder, [0x82, 0x00]) == .truncated(offset: 0))
        #expect(decodeError(decoder, [0x44, 0x01, 0x02]) == .truncated(offset: 0))
        #expect(decodeError(decoder, [0xFB, 0x00, 0x00]) == .truncated(offset: 0))
        #expect(decodeError(CBORDecoder(allowIndefinite: true), [0x9F, 0x00]) == .truncated(offset: 0))
    }

    // MARK: Canonical mode

    @Test("requireCanonical rejects non-shortest integers, lengths, counts and tags")
    func canonicalShortestForm() throws {
        let canonical = CBORDecoder(requireCanonical: true)
        let nonShortest: [[UInt8]] = [
            [0x18, 0x17], [0x19, 0x00, 0xFF], [0x1A, 0x00, 0x00, 0xFF, 0xFF], [0x1B, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x38, 0x00], [0x58, 0x00], [0x78, 0x01, 0x61], [0x98, 0x00], [0xB8, 0x00], [0xD8, 0x01, 0x00],
        ]
        for bytes in nonShortest {
            #expect(decodeError(canonical, bytes) == .notShortestForm(offset: 0), "\(Vectors.hex(bytes))")
            #expect(decodeError(decoder, bytes) == nil, "\(Vectors.hex(bytes)) is well-formed")
        }
        let shortest: [[UInt8]] = [[0x17], [0x18, 0x18], [0x19, 0x01, 0x00], [0x1A, 0x00, 0x01, 0x00, 0x00], [0x1B, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]]
        for bytes in shortest {
            #expect(decodeError(canonical, bytes) == nil, "\(Vectors.hex(bytes))")
        }
        // Nested: the offset is the offending item's.
        #expect(decodeError(canonical, [0x82, 0x00, 0x18, 0x01]) == .notShortestForm(offset: 2))
    }

    @Test("requireCanonical rejects floats wider than needed")
    func canonicalFloats() {
        let canonical = CBORDecoder(requireCanonical: true)
        #expect(decodeError(canonical, [0xFA, 0x3F, 0xC0, 0x00, 0x00]) == .notShortestForm(offset: 0))  // 1.5 as single
        #expect(decodeError(canonical, [0xFB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]) == .notShortestForm(offset: 0))  // 1.5 as double
        #expect(decodeError(canonical, [0xFB, 0x40, 0xF8, 0x6A, 0, 0, 0, 0, 0]) == .notShortestForm(offset: 0))  // 100000.0 as double
        #expect(decodeError(canonical, [0xF9, 0x3E, 0x00]) == nil)
        #expect(decodeError(canonical, [0xFA, 0x47, 0xC3, 0x50, 0x00]) == nil)
        #expect(decodeError(canonical, [0xFB, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A]) == nil)
    }

    @Test("requireCanonical requires RFC 8949 §4.2.1 key order and no indefinite lengths")
    func canonicalKeyOrder() throws {
        let canonical = CBORDecoder(allowIndefinite: true, requireCanonical: true)
        // The §4.2.1 example order: 10, 100, -1, "z", "aa", [100], [-1], false.
        let keys: [[UInt8]] = [[0x0A], [0x18, 0x64], [0x20], [0x61, 0x7A], [0x62, 0x61, 0x61], [0x81, 0x18, 0x64], [0x81, 0x20], [0xF4]]
        let sortedMap: [UInt8] = [0xA8] + keys.flatMap { key -> [UInt8] in key + [0x00] }
        #expect(try canonical.decode(sortedMap).entries?.count == 8)
        for index in 0..<(keys.count - 1) {
            var swapped = keys
            swapped.swapAt(index, index + 1)
            let bytes: [UInt8] = [0xA8] + swapped.flatMap { key -> [UInt8] in key + [0x00] }
            let offset = 1 + swapped[..<(index + 1)].reduce(0) { $0 + $1.count + 1 }
            #expect(decodeError(canonical, bytes) == .unsortedMapKeys(offset: offset))
            #expect(decodeError(decoder, bytes) == nil)
        }
        #expect(decodeError(canonical, [0xA2, 0x01, 0x00, 0x01, 0x00]) == .duplicateMapKey(offset: 3))
        #expect(decodeError(canonical, [0x9F, 0xFF]) == .indefiniteLengthNotAllowed(offset: 0))
    }
}
