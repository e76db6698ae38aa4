import Testing

@testable import CBOR

/// RFC 8949 Appendix A (Table 6) and Appendix F.1 vectors from
/// `../shared/vectors/cbor_rfc8949.json`.
@Suite("RFC 8949 vectors")
struct RFC8949VectorTests {
    let strict = CBORDecoder()
    let lenient = CBORDecoder(allowIndefinite: true)
    let canonical = CBORDecoder(requireCanonical: true)

    @Test("the vector file has all 81 examples and 94 not-well-formed cases")
    func vectorCounts() throws {
        #expect(try Vectors.cases("cases").count == 81)
        #expect(try Vectors.cases("not_well_formed_cases").count == 94)
    }

    @Test("every Appendix A example decodes to its expected value; indefinite ones only with allowIndefinite")
    func examplesDecode() throws {
        var indefiniteCount = 0
        for testCase in try Vectors.cases("cases") {
            let hex = try #require(testCase["hex"]?.stringValue)
            let bytes = try Vectors.bytes(hex: hex)
            let expected = try Vectors.expectedValue(testCase)
            let label = testCase["diagnostic"]?.stringValue ?? hex
            if testCase["indefinite_length"]?.boolValue == true {
                indefiniteCount += 1
                // Rejected by default, and reported at the first indefinite-length head.
                let error = decodeError(strict, bytes)
                guard case .indefiniteLengthNotAllowed? = error else {
                    Issue.record("\(label): expected indefiniteLengthNotAllowed by default, got \(String(describing: error))")
                    continue
                }
                #expect(bytes[error!.offset] & 0x1F == 31, "\(label): offset \(error!.offset) is not an indefinite head")
            } else {
                #expect(try strict.decode(bytes) == expected, "\(label)")
            }
            #expect(try lenient.decode(bytes) == expected, "\(label) with allowIndefinite")
        }
        #expect(indefiniteCount == 11)
    }

    @Test("examples in preferred form re-encode to the same bytes and pass the canonical decoder")
    func preferredFormRoundTrip() throws {
        var checked = 0
        for testCase in try Vectors.cases("cases") where testCase["roundtrip"]?.boolValue == true {
            let hex = try #require(testCase["hex"]?.stringValue)
            let bytes = try Vectors.bytes(hex: hex)
            let value = try lenient.decode(bytes)
            #expect(Vectors.hex(try encoded(value)) == hex, "\(testCase["diagnostic"]?.stringValue ?? hex)")
            #expect(try canonical.decode(bytes) == value, "\(hex) should be canonical")
            checked += 1
        }
        #expect(checked == 64)
    }

    @Test("examples not in preferred form re-encode, after key sorting, to a canonical form of the same value")
    func nonPreferredFormReencodes() throws {
        var checked = 0
        for testCase in try Vectors.cases("cases") where testCase["roundtrip"]?.boolValue == false {
            let hex = try #require(testCase["hex"]?.stringValue)
            let bytes = try Vectors.bytes(hex: hex)
            let value = try lenient.decode(bytes)
            let sorted = try CBOREncoder().sortingMapKeys(value)
            let reencoded = try encoded(sorted)
            #expect(reencoded != bytes, "\(hex)")
            #expect(reencoded.count <= bytes.count, "\(hex)")
            #expect(decodeError(canonical, bytes) != nil, "\(hex) should be rejected as non-canonical")
            #expect(try canonical.decode(reencoded) == sorted, "\(hex) re-encoded as \(Vectors.hex(reencoded))")
            #expect(try strict.decode(try encoded(value)) == value, "\(hex) re-encoded in the given key order")
            checked += 1
        }
        #expect(checked == 17)
    }

    @Test("every Appendix F.1 not-well-formed case is rejected by every decoder configuration")
    func notWellFormedRejected() throws {
        let configurations = [strict, lenient, canonical, CBORDecoder(allowIndefinite: true, requireCanonical: true)]
        for testCase in try Vectors.cases("not_well_formed_cases") {
            let hex = try #require(testCase["hex"]?.stringValue)
            let bytes = try Vectors.bytes(hex: hex)
            for decoder in configurations {
                #expect(decodeError(decoder, bytes) != nil, "\(hex) (\(testCase["category"]?.stringValue ?? "")) accepted")
                #expect(throws: CBORError.self, "\(hex) accepted as a prefix") { try decoder.decodePrefix(bytes) }
            }
        }
    }

    @Test("the RFC 7049-only example simple(24) is rejected")
    func rfc7049OnlyRejected() throws {
        let cases = try Vectors.cases("rfc7049_only_cases")
        #expect(!cases.isEmpty)
        for testCase in cases {
            let bytes = try Vectors.bytes(hex: try #require(testCase["hex"]?.stringValue))
            #expect(decodeError(lenient, bytes) == .invalidSimpleValue(offset: 0))
        }
    }

    @Test("jsonString() of each example is valid JSON equal to the vector's decoded_json")
    func jsonMatchesVectors() throws {
        var compared = 0
        for testCase in try Vectors.cases("cases") {
            let hex = try #require(testCase["hex"]?.stringValue)
            let json = try lenient.decode(try Vectors.bytes(hex: hex)).jsonString()
            let parsed: TestJSON
            do {
                parsed = try TestJSON.parse(json)
            } catch {
                Issue.record("\(hex): jsonString() gave invalid JSON \(json): \(error)")
                continue
            }
            // Bignums (tags 2/3) are rendered as tags, not as JSON numbers.
            guard let expected = testCase["decoded_json"], testCase["notes"] == nil else { continue }
            #expect(jsonEquivalent(parsed, expected), "\(hex): \(json) vs \(expected)")
            compared += 1
        }
        #expect(compared == 57)
    }

    /// Structural JSON equality where numbers compare by value (integers exactly by lexeme).
    private func jsonEquivalent(_ a: TestJSON, _ b: TestJSON) -> Bool {
        switch (a, b) {
        case let (.integer(x), .integer(y)):
            return x == y
        case let (.number(x), .number(y)), let (.number(x), .integer(y)), let (.integer(x), .number(y)):
            guard let left = Double(x), let right = Double(y) else { return false }
            return left == right
        case let (.array(x), .array(y)):
            return x.count == y.count && zip(x, y).allSatisfy(jsonEquivalent)
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && jsonEquivalent($0.1, $1.1) }
        default:
            return a == b
        }
    }
}
