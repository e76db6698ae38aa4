import Foundation
import Testing

@testable import CBOR

/// Loading and interpreting `../shared/vectors/cbor_rfc8949.json` (relative to the repo root).
enum Vectors {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The repository root: this file is `<root>/Tests/CBORTests/Vectors.swift`.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CBORTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // root

    static let fileURL: URL = repositoryRoot
        .appendingPathComponent("..")
        .appendingPathComponent("shared/vectors/cbor_rfc8949.json")
        .standardizedFileURL

    /// The parsed vector file; throws a descriptive error if it is missing or malformed.
    static func load() throws -> TestJSON {
        guard let data = FileManager.default.contents(atPath: fileURL.path) else {
            throw Failure(description: "CBOR test vectors not found at \(fileURL.path) (expected <repo>/../shared/vectors/cbor_rfc8949.json)")
        }
        return try TestJSON.parse(String(decoding: data, as: UTF8.self))
    }

    static func cases(_ name: String) throws -> [TestJSON] {
        guard let list = try load()[name]?.arrayValue else {
            throw Failure(description: "\(fileURL.path) has no array \"\(name)\"")
        }
        return list
    }

    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw Failure(description: "odd-length hex \(hex)") }
        func nibble(_ c: UInt8) throws -> UInt8 {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: throw Failure(description: "bad hex \(hex)")
            }
        }
        return try stride(from: 0, to: digits.count, by: 2).map { try nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// The expected value of a case, built from its `decoded_typed` field (and, for the
    /// date/time tags that cbor2 turns into datetimes, from its diagnostic notation).
    static func expectedValue(_ testCase: TestJSON) throws -> CBORValue {
        guard let typed = testCase["decoded_typed"] else { throw Failure(description: "case without decoded_typed: \(testCase)") }
        if typed["cbor2_type"] != nil {
            return try valueFromTagDiagnostic(testCase["diagnostic"]?.stringValue ?? "")
        }
        return try value(typed)
    }

    /// Interprets the vector file's typed-JSON convention.
    static func value(_ json: TestJSON) throws -> CBORValue {
        switch json {
        case let .integer(lexeme):
            return try integer(lexeme)
        case let .number(lexeme):
            guard let number = Double(lexeme) else { throw Failure(description: "bad number \(lexeme)") }
            return .float(number)
        case let .string(text):
            return .textString(text)
        case let .bool(flag):
            return .bool(flag)
        case .null:
            return .null
        case let .array(items):
            return .array(try items.map(value))
        case let .object(members):
            if let hex = json["bytes_hex"]?.stringValue { return .byteString(try bytes(hex: hex)) }
            if let big = json["bigint"]?.stringValue { return try integer(big) }
            if case let .integer(tag)? = json["tag"], let content = json["value"], let number = UInt64(tag) {
                return .tagged(number, try value(content))
            }
            if case let .integer(simple)? = json["simple"], let number = UInt8(simple) { return .simple(number) }
            if json["undefined"] != nil { return .undefined }
            if let special = json["float"]?.stringValue {
                switch special {
                case "NaN": return .float(.nan)
                case "Infinity": return .float(.infinity)
                case "-Infinity": return .float(-.infinity)
                default: throw Failure(description: "unknown float \(special)")
                }
            }
            if let pairs = json["map"]?.arrayValue {
                return .map(try pairs.map { pair in
                    guard let kv = pair.arrayValue, kv.count == 2 else { throw Failure(description: "bad map pair \(pair)") }
                    return (key: try value(kv[0]), value: try value(kv[1]))
                })
            }
            throw Failure(description: "unknown typed object \(members.map(\.0))")
        }
    }

    /// An integer of any size: native CBOR integers within 64 bits, tag 2/3 bignums beyond.
    static func integer(_ lexeme: String) throws -> CBORValue {
        let negative = lexeme.hasPrefix("-")
        var magnitude = try decimalMagnitude(negative ? String(lexeme.dropFirst()) : lexeme)
        if negative {
            // CBOR stores -1 - n, so the argument is |value| - 1.
            var index = magnitude.count - 1
            while index >= 0 {
                if magnitude[index] > 0 { magnitude[index] -= 1; break }
                magnitude[index] = 0xFF
                index -= 1
            }
            magnitude = Array(magnitude.drop { $0 == 0 })
        }
        if magnitude.count <= 8 {
            let argument = magnitude.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return negative ? .negative(argument) : .unsigned(argument)
        }
        return .tagged(negative ? 3 : 2, .byteString(magnitude))
    }

    /// Big-endian magnitude bytes (no leading zeros) of a decimal string.
    static func decimalMagnitude(_ digits: String) throws -> [UInt8] {
        var result: [UInt8] = []
        for character in digits.utf8 {
            guard (0x30...0x39).contains(character) else { throw Failure(description: "bad integer \(digits)") }
            var carry = Int(character - 0x30)
            for index in result.indices.reversed() {
                let product = Int(result[index]) * 10 + carry
                result[index] = UInt8(product & 0xFF)
                carry = product >> 8
            }
            while carry > 0 {
                result.insert(UInt8(carry & 0xFF), at: 0)
                carry >>= 8
            }
        }
        return result
    }

    /// Parses diagnostics of the form `N("text")`, `N(integer)` or `N(decimal)`.
    static func valueFromTagDiagnostic(_ diagnostic: String) throws -> CBORValue {
        guard let open = diagnostic.firstIndex(of: "("), diagnostic.hasSuffix(")"),
              let tag = UInt64(diagnostic[..<open])
        else { throw Failure(description: "unsupported diagnostic \(diagnostic)") }
        let inner = String(diagnostic[diagnostic.index(after: open)..<diagnostic.index(before: diagnostic.endIndex)])
        if inner.hasPrefix("\""), inner.hasSuffix("\""), inner.count >= 2 {
            return .tagged(tag, .textString(String(inner.dropFirst().dropLast())))
        }
        if inner.contains(".") {
            guard let number = Double(inner) else { throw Failure(description: "bad float in \(diagnostic)") }
            return .tagged(tag, .float(number))
        }
        return .tagged(tag, try integer(inner))
    }
}
