import JOSE
import TestSupport
import Testing

@Suite struct StrictJSONTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: Array(text.utf8))
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
        #expect(throws: JSONParseError.duplicateKey("a")) { try Self.parse("{\"a\":1,\"a\":2}") }
        #expect(throws: JSONParseError.duplicateKey("a")) { try Self.parse("{\"a\":1,\"\\u0061\":1}") }
        #expect(throws: JSONParseError.duplicateKey("k")) { try Self.parse("{\"x\":[{\"k\":1,\"k\":null}]}") }
    }

    @Test func malformedTextIsRejected() {
        let bad = [
            "", " ", "{", "}", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "01", "1.", ".5", "+1", "1e",
            "-", "NaN", "Infinity", "tru", "nul", "{\"a\":1} x", "{\"a\":1}{}", "/* c */ 1", "\"\\x\"", "\"\\u12\"",
            "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"a\nb\"", "\"a\tb\"", "\u{FEFF}{}", "[1]\u{0}",
        ]
        for text in bad {
            #expect(throws: JSONParseError.self, "\(text.debugDescription)") { try Self.parse(text) }
        }
        #expect(throws: JSONParseError.numberOutOfRange(offset: 0)) { try Self.parse("1e999") }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue(parsing: [0x22, 0xC3, 0x22]) }
        #expect(throws: JSONParseError.invalidUTF8) { try JSONValue(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func nestingIsBounded() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try Self.parse(ok) != .null)
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: JSONParseError.tooDeep) { try Self.parse(deep) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.tooDeep) { try Self.parse(hostile) }
    }

    @Test func serializationIsCompactSortedAndRoundTrips() throws {
        let value: JSONValue = ["z": 1, "a": ["q\"\\\n\u{01}", 1.5, -3, .null, false], "m": .object([:]), "big": 1e300]
        let bytes = try #require(value.serialized())
        #expect(String(decoding: bytes, as: UTF8.self)
            == "{\"a\":[\"q\\\"\\\\\\n\\u0001\",1.5,-3,null,false],\"big\":1e+300,\"m\":{},\"z\":1}")
        #expect(try JSONValue(parsing: bytes) == value)
        #expect(JSONValue.number(.nan).serialized() == nil)
        #expect(JSONValue.array([.number(.infinity)]).serialized() == nil)
    }
}
