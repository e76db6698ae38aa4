import JOSE
import Testing

/// JOSE's canonical JSON writer (sorted members, compact), round-tripped through the strict parser.
@Suite struct JSONSerializationTests {
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
