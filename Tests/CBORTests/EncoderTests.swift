import Testing

@testable import CBOR

@Suite("Encoder")
struct EncoderTests {
    let encoder = CBOREncoder()
    let canonical = CBORDecoder(requireCanonical: true)

    @Test("integer heads use the shortest form at every width boundary")
    func integerBoundaries() throws {
        let cases: [(UInt64, String)] = [
            (0, "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65_535, "19ffff"),
            (65_536, "1a00010000"), (4_294_967_295, "1affffffff"), (4_294_967_296, "1b0000000100000000"),
            (.max, "1bffffffffffffffff"),
        ]
        for (number, hex) in cases {
            #expect(Vectors.hex(try encoder.encode(.unsigned(number))) == hex)
            let negativeHex = String(Character(UnicodeScalar(UInt8(ascii: hex.first == "0" ? "2" : "3")))) + hex.dropFirst()
            #expect(Vectors.hex(try encoder.encode(.negative(number))) == negativeHex)
        }
        #expect(try encoder.encode(CBORValue(-1)) == [0x20])
        #expect(try encoder.encode(CBORValue(Int.min)) == [0x3B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test("string and container lengths are counted in bytes and items")
    func lengths() throws {
        #expect(try encoder.encode("ü水") == [0x65, 0xC3, 0xBC, 0xE6, 0xB0, 0xB4])
        let long = CBORValue.byteString([UInt8](repeating: 7, count: 300))
        #expect(Array(try encoder.encode(long).prefix(3)) == [0x59, 0x01, 0x2C])
        #expect(try encoder.encode([1, [2, 3]]) == [0x82, 0x01, 0x82, 0x02, 0x03])
        #expect(try encoder.encode(.tagged(24, .byteString([0xA0]))) == [0xD8, 0x18, 0x41, 0xA0])
    }

    @Test("every half-precision pattern decodes and re-encodes to itself, NaN payloads included")
    func halfFloatsExhaustive() throws {
        for bits in 0...UInt16.max {
            let bytes: [UInt8] = [0xF9, UInt8(bits >> 8), UInt8(bits & 0xFF)]
            let value = try canonical.decode(bytes)
            #expect(try encoder.encode(value) == bytes, "f9 \(String(bits, radix: 16))")
        }
    }

    @Test("floats use the shortest exact width")
    func floatWidths() throws {
        let cases: [(Double, String)] = [
            (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (65_504, "f97bff"),
            (65_520, "fa477ff000"),  // rounds to infinity in half precision, so must not use it
            (5.960464477539063e-8, "f90001"), (0x1p-25, "fa33000000"), (0x1p-14, "f90400"),
            (0x1.004p-14, "f90401"), (0x1.002p-14, "fa38801000"), (100_000, "fa47c35000"), (3.4028234663852886e+38, "fa7f7fffff"),
            (1.1, "fb3ff199999999999a"), (1e300, "fb7e37e43c8800759c"), (.infinity, "f97c00"),
            (-.infinity, "f9fc00"), (.nan, "f97e00"), (Double(Float.leastNonzeroMagnitude), "fa00000001"),
            (.leastNonzeroMagnitude, "fb0000000000000001"),
        ]
        for (number, hex) in cases {
            let bytes = try encoder.encode(.float(number))
            #expect(Vectors.hex(bytes) == hex, "\(number)")
            #expect(try canonical.decode(bytes) == .float(number), "\(number)")
        }
    }

    @Test("NaN payloads and signs survive encoding and decoding bit for bit")
    func nanPayloads() throws {
        let patterns: [UInt64] = [
            0x7FF0_0000_0000_0001,  // signalling, needs double
            0x7FF0_0000_2000_0000,  // fits single
            0x7FF4_0000_0000_0000,  // signalling, fits half
            0xFFF8_0000_0000_0000,  // negative quiet
        ]
        let widths = [9, 5, 3, 3]
        for (pattern, width) in zip(patterns, widths) {
            let value = CBORValue.float(Double(bitPattern: pattern))
            let bytes = try encoder.encode(value)
            #expect(bytes.count == width, "\(String(pattern, radix: 16))")
            let decoded = try canonical.decode(bytes)
            #expect(decoded.double?.bitPattern == pattern, "\(String(pattern, radix: 16))")
        }
    }

    @Test("simple values 20...31 cannot be encoded as .simple")
    func simpleValues() throws {
        for number in UInt8(20)...31 {
            #expect(throws: CBOREncodingError.invalidSimpleValue(number)) { try encoder.encode(.simple(number)) }
        }
        #expect(try encoder.encode(.simple(19)) == [0xF3])
        #expect(try encoder.encode(.simple(32)) == [0xF8, 0x20])
        #expect(try encoder.encode([.bool(true), .null, .undefined]) == [0x83, 0xF5, 0xF6, 0xF7])
        #expect(throws: CBOREncodingError.invalidSimpleValue(24)) { try encoder.sortingMapKeys([.simple(24): 1]) }
    }

    @Test("maps are written in the given order; sortingMapKeys applies the §4.2.1 order at every depth")
    func mapOrder() throws {
        let unsorted: CBORValue = [false: 0, [-1]: 0, [100]: 0, "aa": 0, "z": 0, -1: 0, 100: 0, 10: ["b": 1, "a": [3: 0, 2: 0]]]
        let given = try encoder.encode(unsorted)
        #expect(Array(given.prefix(3)) == [0xA8, 0xF4, 0x00])
        #expect(try CBORDecoder().decode(given) == unsorted)

        let sorted = try encoder.sortingMapKeys(unsorted)
        let expected: CBORValue = [10: ["a": [2: 0, 3: 0], "b": 1], 100: 0, -1: 0, "z": 0, "aa": 0, [100]: 0, [-1]: 0, false: 0]
        #expect(sorted == expected)
        #expect(try canonical.decode(try encoder.encode(sorted)) == expected)
        #expect(decodeError(canonical, given) != nil)
    }

    @Test("sortingMapKeys keeps entries with equal keys in their original order and sorts keys' own maps")
    func sortStability() throws {
        let value: CBORValue = .map([(key: 2, value: "first"), (key: 1, value: 0), (key: 2, value: "second")])
        #expect(try encoder.sortingMapKeys(value) == .map([(key: 1, value: 0), (key: 2, value: "first"), (key: 2, value: "second")]))
        let nestedKey: CBORValue = [["b": 0, "a": 0]: 1]
        #expect(try encoder.sortingMapKeys(nestedKey) == [["a": 0, "b": 0]: 1])
        #expect(try encoder.sortingMapKeys(.tagged(1, [2: 0, 1: 0])) == .tagged(1, [1: 0, 2: 0]))
    }

    @Test("random values round-trip through encode and decode, canonically once sorted")
    func randomRoundTrip() throws {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        let decoder = CBORDecoder()
        for _ in 0..<2_000 {
            let value = randomValue(depth: 0, using: &generator)
            let bytes = try encoder.encode(value)
            #expect(try decoder.decode(bytes) == value, "\(value)")
            let sorted = try encoder.sortingMapKeys(value)
            #expect(try canonical.decode(try encoder.encode(sorted)) == sorted, "\(sorted)")
        }
    }

    /// A random value within the default decoder limits, with distinct map keys.
    private func randomValue(depth: Int, using generator: inout SeededGenerator) -> CBORValue {
        let kind = Int.random(in: 0..<(depth < 4 ? 12 : 9), using: &generator)
        switch kind {
        case 0: return .unsigned(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
        case 1: return .negative(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
        case 2: return .byteString((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        case 3:
            let scalars = (0..<Int.random(in: 0...12, using: &generator)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &generator))
            }
            return .textString(String(String.UnicodeScalarView(scalars)))
        case 4:
            let simple = UInt8.random(in: 0...255, using: &generator)
            return (20...31).contains(simple) ? .null : .simple(simple)
        case 5: return .bool(Bool.random(using: &generator))
        case 6: return [.null, .undefined][Int.random(in: 0...1, using: &generator)]
        case 7: return .float(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
        case 8: return .float(Double(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))))
        case 9: return .array((0..<Int.random(in: 0...5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        case 10:
            var seen = Set<CBORValue>()
            var entries: [(key: CBORValue, value: CBORValue)] = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                let key = randomValue(depth: depth + 1, using: &generator)
                guard seen.insert(key).inserted else { continue }
                entries.append((key: key, value: randomValue(depth: depth + 1, using: &generator)))
            }
            return .map(entries)
        default:
            return .tagged(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator),
                           randomValue(depth: depth + 1, using: &generator))
        }
    }
}
