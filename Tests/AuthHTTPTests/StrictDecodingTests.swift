import AuthHTTP
import Testing

/// `StrictJSONDecoder` and `JSONStructureScanner` without a server.
@Suite struct StrictDecodingTests {
    func decode(_ json: String) throws(Problem) -> SignupRequest {
        try StrictJSONDecoder.decode(SignupRequest.self, from: Array(json.utf8))
    }

    func detail(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            #expect(error.status == .badRequest)
            return error.detail
        }
    }

    @Test func decodesValidBody() throws {
        let value = try decode(#" {"email":"a@b.c","mode":"passkey","display_name":null} "#)
        #expect(value == SignupRequest(email: "a@b.c", mode: .passkey, displayName: nil))
    }

    @Test func rejectsUnknownFields() {
        #expect(detail(#"{"email":"a","mode":"password","foo":1}"#) == "unknown field 'foo'")
        #expect(detail(#"{"email":"a","mode":"password","foo":1,"bar":2}"#) == "unknown fields 'foo', 'bar'")
    }

    @Test func rejectsDuplicateKeysAtAnyDepth() {
        #expect(detail(#"{"email":"a","email":"b","mode":"password"}"#) == "duplicate field 'email'")
        // Escapes are decoded before comparing.
        #expect(detail(#"{"email":"a","em\u0061il":"b","mode":"password"}"#) == "duplicate field 'email'")
        let nested = try? JSONStructureScanner.topLevelKeys(in: Array(#"{"a":[{"x":1,"x":2}]}"#.utf8))
        #expect(nested == nil)
        #expect(throws: JSONStructureScanner.Failure.duplicateKey(path: "a[0].x")) {
            try JSONStructureScanner.topLevelKeys(in: Array(#"{"a":[{"x":1,"x":2}]}"#.utf8))
        }
    }

    @Test func namesMissingAndMistypedFields() {
        #expect(detail(#"{"mode":"password"}"#) == "missing field 'email'")
        #expect(detail(#"{"email":"a","mode":7}"#) == "field 'mode' has the wrong type (expected string)")
        #expect(detail(#"{"email":"a","mode":"root"}"#) == "field 'mode' has an invalid value")
        #expect(detail(#"{"email":null,"mode":"password"}"#) == "field 'email' must not be null")
    }

    @Test func rejectsBadDocuments() {
        #expect(detail("") == "request body is empty; expected a JSON object")
        #expect(detail("[1,2]") == "request body must be a JSON object")
        #expect(detail(#"{"email":"a"} x"#) == "request body is not valid JSON (error at byte 14)")
        #expect(detail(#"{"email":"a",}"#)?.hasPrefix("request body is not valid JSON") == true)
        #expect(detail(#"{"email":01}"#)?.hasPrefix("request body is not valid JSON") == true)
        #expect(detail("{\"email\":\"\u{01}\"}")?.hasPrefix("request body is not valid JSON") == true)
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(detail(#"{"email":\#(deep)}"#) == "request body is nested more than 64 levels deep")
    }

    @Test func rejectsInvalidUTF8() {
        var bytes = Array(#"{"email":"a"#.utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array(#"","mode":"password"}"#.utf8))
        #expect(throws: Problem.self) { try StrictJSONDecoder.decode(SignupRequest.self, from: bytes) }
    }

    @Test func scannerAcceptsRFC8259Grammar() throws {
        let keys = try JSONStructureScanner.topLevelKeys(
            in: Array(#"{"n":-0.5e+10,"t":true,"f":false,"z":null,"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","a":[],"o":{}}"#.utf8)
        )
        #expect(keys == ["n", "t", "f", "z", "s", "a", "o"])
        #expect(throws: JSONStructureScanner.Failure.self) {
            try JSONStructureScanner.topLevelKeys(in: Array(#"{"s":"\ud83d"}"#.utf8))
        }
    }

    @Test func decodingProblemPaths() {
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int?
            init(stringValue: String) { self.stringValue = stringValue }
            init(intValue: Int) {
                self.stringValue = "Index \(intValue)"
                self.intValue = intValue
            }
        }
        #expect(DecodingProblem.path([Key(stringValue: "items"), Key(intValue: 2), Key(stringValue: "id")]) == "items[2].id")
    }
}
