import StrictJSON
import Testing
import TextEncoding

@Suite("JSONString: the one JSON string escaper")
struct JSONStringTests {
    @Test("plain text is written as is, quoted")
    func plainText() {
        #expect(JSONString.quoted("") == #""""#)
        #expect(JSONString.quoted("ada@example.com") == #""ada@example.com""#)
        #expect(JSONString.quoted("café 水 😀") == "\"café 水 😀\"")
    }

    @Test("quote, backslash and the short escapes; other C0 controls and DEL as lowercase \\u00xx")
    func shortAndC0Escapes() {
        #expect(JSONString.quoted("q\"b\\n\nr\rt\t") == #""q\"b\\n\nr\rt\t""#)
        #expect(JSONString.quoted("\u{0}\u{8}\u{C}\u{1B}\u{1F}\u{7F}") == #""\u0000\u0008\u000c\u001b\u001f\u007f""#)
    }

    @Test("C1 controls, line separators and bidi controls are escaped; neighbours are not")
    func c1SeparatorsAndBidi() {
        #expect(JSONString.quoted("\u{80}\u{85}\u{9F}") == #""\u0080\u0085\u009f""#)
        #expect(JSONString.quoted("\u{A0}\u{2027}") == "\"\u{A0}\u{2027}\"")
        #expect(JSONString.quoted("\u{2028}\u{2029}\u{202A}\u{202E}") == #""\u2028\u2029\u202a\u202e""#)
        #expect(JSONString.quoted("\u{2066}\u{2069}\u{206A}") == "\"\\u2066\\u2069\u{206A}\"")
        for value: UInt32 in [0x7F, 0x80, 0x9F, 0x2028, 0x202A, 0x202E, 0x2066, 0x2069] {
            #expect(JSONString.mustEscape(Unicode.Scalar(value)!))
        }
        for value: UInt32 in [0x20, 0x7E, 0xA0, 0xFC, 0x2027, 0x202F, 0x2065, 0x206A, 0x1F600] {
            #expect(!JSONString.mustEscape(Unicode.Scalar(value)!))
        }
    }

    @Test("every output parses back (strict parser) to the same text; the byte and String forms agree")
    func roundTrip() throws {
        let samples = [
            "", "plain", "a\u{85}b\u{9B}c\u{202E}d\u{2066}e\u{1B}f\u{7F}g\u{2028}h", "\"\\/\n\r\t\u{0}", "é\u{C2}\u{A0}水😀",
            "\u{E2}\u{2030}", String(repeating: "x\u{1}", count: 50),
        ]
        for text in samples {
            var bytes: [UInt8] = []
            JSONString.append(text, to: &bytes)
            var string = "prefix"
            JSONString.append(text, to: &string)
            #expect(string == "prefix" + JSONString.quoted(text))
            #expect(bytes == Array(JSONString.quoted(text).utf8))
            #expect(try StrictJSONParser.parse(bytes) == .string(text))
            #expect(!String(decoding: bytes, as: UTF8.self).unicodeScalars.contains(where: JSONString.mustEscape))
        }
    }
}

@Suite("Encoding: hex and base64url")
struct EncodingTests {
    @Test("base64url of the RFC 4648 §10 vectors, without padding, and back")
    func rfc4648Vectors() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Encoding.base64URL(Array(plain.utf8)) == encoded)
            #expect(Encoding.fromBase64URL(encoded) == Array(plain.utf8))
        }
        #expect(Encoding.base64URL([0xFB, 0xFF, 0xBF]) == "-_-_")
    }

    @Test("decoding is strict: no padding, no standard alphabet, no stray bits, no impossible length")
    func strictDecoding() {
        #expect(Encoding.fromBase64URL("Zg==") == nil)
        #expect(Encoding.fromBase64URL("+/+/") == nil)
        #expect(Encoding.fromBase64URL("Zh") == nil)
        #expect(Encoding.fromBase64URL("Zm9vY") == nil)
    }

    @Test("hex is lowercase and reads either case")
    func hex() {
        #expect(Encoding.hex([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Encoding.fromHex("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Encoding.fromHex("abc") == nil)
        #expect(Encoding.fromHex("zz") == nil)
    }
}
