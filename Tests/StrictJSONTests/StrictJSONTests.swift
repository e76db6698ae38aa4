import StrictJSON
import Testing

/// The shared strict parser (used by JOSE, WebAuthn and the HTTP body check).
@Suite struct StrictJSONTests {
    static func parse(_ text: String) throws(StrictJSONError) -> JSONValue {
        try StrictJSONParser.parse(Array(text.utf8))
    }

    @Test func acceptsRFC8259Values() throws {
        #expect(try Self.parse(" {\"a\" : [1, -2.5e3, true, false, null, \"x\"],\r\n\t\"b\":{}} ")
            == .object(["a": [1, -2500, true, false, .null, "x"], "b": .object([:])]))
        #expect(try Self.parse("\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"") == .string("é😀\n\"\\/"))
        #expect(try Self.parse("0") == .number(0))
        #expect(try Self.parse("[]") == .array([]))
        #expect(try Self.parse("\"é\"") == .string("é"))
    }

    @Test func duplicateKeysAreRejectedEvenWhenEscapedOrNested() {
        #expect(throws: StrictJSONError.duplicateKey("a", path: "a")) { try Self.parse("{\"a\":1,\"a\":2}") }
        #expect(throws: StrictJSONError.duplicateKey("a", path: "a")) { try Self.parse("{\"a\":1,\"\\u0061\":1}") }
        #expect(throws: StrictJSONError.duplicateKey("k", path: "x[0].k")) { try Self.parse("{\"x\":[{\"k\":1,\"k\":null}]}") }
        #expect(throws: StrictJSONError.duplicateKey("b", path: "a.b")) { try Self.parse("{\"a\":{\"b\":[1],\"b\":2}}") }
    }

    @Test func malformedTextIsRejected() {
        let bad = [
            "", " ", "{", "}", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "01", "1.", ".5", "+1", "1e",
            "-", "NaN", "Infinity", "tru", "nul", "{\"a\":1} x", "{\"a\":1}{}", "/* c */ 1", "\"\\x\"", "\"\\u12\"",
            "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"a\nb\"", "\"a\tb\"", "\u{FEFF}{}", "[1]\u{0}",
        ]
        for text in bad {
            #expect(throws: StrictJSONError.self, "\(text.debugDescription)") { try Self.parse(text) }
        }
        #expect(throws: StrictJSONError.numberOutOfRange(offset: 0)) { try Self.parse("1e999") }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: StrictJSONError.invalidUTF8) { try StrictJSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: StrictJSONError.invalidUTF8) { try StrictJSONParser.parse([0x22, 0xC3, 0x22]) }
        #expect(throws: StrictJSONError.invalidUTF8) { try StrictJSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func nestingIsBounded() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try Self.parse(ok) != .null)
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: StrictJSONError.tooDeep(limit: 32)) { try Self.parse(deep) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: StrictJSONError.tooDeep(limit: 32)) { try Self.parse(hostile) }
        #expect(throws: StrictJSONError.tooDeep(limit: 2)) { try StrictJSONParser.parse(Array("[[[]]]".utf8), maximumDepth: 2) }
        #expect(try StrictJSONParser.parse(Array(deep.utf8), maximumDepth: 64) != .null)
    }

    @Test func objectDocumentsGiveTheirKeysInDocumentOrder() throws {
        let parsed = try #require(try StrictJSONParser.parseObject(Array(#"{"z":1,"a":{"inner":2},"m":[{"x":1}]}"#.utf8)))
        #expect(parsed.keys == ["z", "a", "m"])
        #expect(parsed.members["a"] == .object(["inner": 2]))
        #expect(try StrictJSONParser.parseObject(Array("[1]".utf8))?.keys == nil)
        #expect(try StrictJSONParser.parseObject(Array("{}".utf8))?.keys == [])
    }
}
