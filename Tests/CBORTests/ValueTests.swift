import Testing

@testable import CBOR

@Suite("CBORValue: equality, accessors, JSON, diagnostics")
struct ValueTests {
    @Test("floats compare by bit pattern; integers and floats differ")
    func equality() {
        #expect(CBORValue.float(.nan) == .float(.nan))
        #expect(CBORValue.float(0.0) != .float(-0.0))
        #expect(CBORValue.unsigned(1) != .float(1.0))
        #expect(CBORValue.map([(key: 1, value: 2)]) != .map([(key: 1, value: 3)]))
        #expect(CBORValue.map([(key: 1, value: 2), (key: 3, value: 4)]) != [3: 4, 1: 2])
        #expect(CBORValue.tagged(1, 0) != .tagged(2, 0))
        #expect(Set<CBORValue>([.float(.nan), .float(.nan), .float(0.0), .float(-0.0), 1, [1: 2], [1: 2]]).count == 5)
    }

    @Test("integer accessors cover the whole Int range and reject what does not fit")
    func integers() {
        #expect(CBORValue(Int.min) == .negative(UInt64(Int.max)))
        #expect(CBORValue.negative(UInt64(Int.max)).int == Int.min)
        #expect(CBORValue.negative(UInt64(Int.max) + 1).int == nil)
        #expect(CBORValue.unsigned(UInt64(Int.max)).int == Int.max)
        #expect(CBORValue.unsigned(UInt64(Int.max) + 1).int == nil)
        #expect(CBORValue.unsigned(UInt64.max).uint64 == .max)
        #expect(CBORValue.negative(0).uint64 == nil)
        #expect(CBORValue(-7) == .negative(6))
        #expect(CBORValue.float(1).int == nil)
    }

    @Test("typed accessors return nil for other types")
    func accessors() {
        let value: CBORValue = ["fmt": "none", "attStmt": [:], "authData": .byteString([1, 2])]
        #expect(value["fmt"]?.text == "none")
        #expect(value["authData"]?.bytes == [1, 2])
        #expect(value["attStmt"]?.entries?.isEmpty == true)
        #expect(value["missing"] == nil)
        #expect(value["fmt"]?.bytes == nil)
        #expect(CBORValue.array([1, 2]).items?.count == 2)
        #expect(CBORValue.array([1, 2])[1] == nil, "integer subscripts look up map keys, not array indexes")
        #expect(CBORValue.bool(true).boolValue == true)
        #expect(CBORValue.unsigned(1).boolValue == nil)
        #expect(CBORValue.float(2.5).double == 2.5)
        #expect(CBORValue.tagged(24, "x").tagNumber == 24)
        #expect(CBORValue.tagged(24, "x").tagContent == "x")
        #expect(CBORValue.simple(16).simpleValue == 16)
        #expect(CBORValue.null.isNull && !CBORValue.undefined.isNull)
        #expect(CBORValue.undefined.isUndefined && !CBORValue.null.isUndefined)
    }

    @Test("COSE keys are read with integer subscripts")
    func coseKey() throws {
        // {1: 2, 3: -7, -1: 1, -2: h'01', -3: h'02'} encoded by hand.
        let bytes: [UInt8] = [0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x41, 0x01, 0x22, 0x41, 0x02]
        let key = try CBORDecoder().decode(bytes)
        #expect(key[1]?.int == 2)
        #expect(key[3]?.int == -7)
        #expect(key[-1]?.int == 1)
        #expect(key[-2]?.bytes == [0x01])
        #expect(key[-3]?.bytes == [0x02])
        #expect(key[4] == nil)
        #expect(key[key: .negative(1)]?.bytes == [0x01])
    }

    @Test("JSON: objects for text or integer keys, pairs otherwise, base64url bytes, tags, specials")
    func json() {
        let cose: CBORValue = [1: 2, 3: -7, -1: 1, -2: .byteString([0xFB, 0xFF])]
        #expect(cose.jsonString() == #"{"1":2,"3":-7,"-1":1,"-2":"-_8"}"#)
        #expect((["a": 1, "b": [true, .null, .undefined]] as CBORValue).jsonString() == #"{"a":1,"b":[true,null,null]}"#)
        #expect(([1: "x", "1": "y"] as CBORValue).jsonString() == #"[[1,"x"],["1","y"]]"#)
        #expect(([[1]: 0] as CBORValue).jsonString() == "[[[1],0]]")
        #expect(CBORValue.tagged(1, 1.5).jsonString() == #"{"tag":1,"value":1.5}"#)
        #expect(CBORValue.simple(16).jsonString() == #"{"simple":16}"#)
        #expect(CBORValue.negative(.max).jsonString() == "-18446744073709551616")
        #expect(CBORValue.unsigned(.max).jsonString() == "18446744073709551615")
        #expect(([.float(.nan), .float(.infinity), .float(-.infinity), .float(-0.0), 1e300] as CBORValue).jsonString()
            == #"["NaN","Infinity","-Infinity",-0.0,1e+300]"#)
        #expect(([.byteString([]), .byteString([1]), .byteString([1, 2]), .byteString([1, 2, 3])] as CBORValue).jsonString()
            == #"["","AQ","AQI","AQID"]"#)
        #expect(CBORValue.textString("q\"b\\n\n\u{1}\u{1F}é").jsonString() == #""q\"b\\n\n\u0001\u001fé""#)
        #expect(CBORValue.map([]).jsonString() == "{}")
    }

    @Test("jsonString() output always parses as JSON")
    func jsonAlwaysValid() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<8 {
                if let scalar = Unicode.Scalar(UInt32.random(in: 0...0x2FF, using: &generator)) { scalars.append(scalar) }
            }
            let text = String(scalars)
            let number = CBORValue.float(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            let value = CBORValue.map([(key: .textString(text), value: .array([number, .textString(text)]))])
            let json = value.jsonString()
            let firstName = try firstMemberName(json)
            #expect(firstName == text, "\(json)")
        }
    }

    @Test("diagnostic notation")
    func diagnostic() {
        let value: CBORValue = [1: .byteString([0x01, 0xAB]), "a": [.tagged(24, .simple(16)), .undefined, 1.5, .float(.nan), -1]]
        #expect(value.description == #"{1: h'01ab', "a": [24(simple(16)), undefined, 1.5, NaN, -1]}"#)
    }
}
