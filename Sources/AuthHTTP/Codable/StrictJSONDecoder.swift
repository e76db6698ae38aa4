import Foundation
import StrictJSON

/// Strict JSON decoding of request bodies. Every failure is a 400 ``Problem`` whose detail names
/// the field, never the value:
///
/// 1. the body must be valid UTF-8 JSON whose top level is an object, nested at most 64 deep;
/// 2. no object, at any depth, may repeat a key (`duplicate field 'email'`);
/// 3. every top-level key must be in ``StrictDecodable/allowedFields`` (`unknown field 'foo'`);
/// 4. `JSONDecoder` then decodes the value; its errors map through ``DecodingProblem``
///    (`missing field 'email'`, `field 'mode' has the wrong type (expected string)`).
///
/// Only top-level keys are checked against an allow-list; nested objects get checks 1, 2 and 4.
public enum StrictJSONDecoder {
    /// Decodes `type` from `bytes`, applying all checks.
    /// - Throws: ``Problem`` (400) on any failure.
    public static func decode<T: StrictDecodable>(_ type: T.Type, from bytes: [UInt8]) throws(Problem) -> T {
        let keys = try checkedObject(bytes).keys
        let unknown = keys.filter { !T.allowedFields.contains($0) }
        if let first = unknown.first {
            let detail = unknown.count == 1
                ? "unknown field '\(first)'"
                : "unknown fields \(unknown.map { "'\($0)'" }.joined(separator: ", "))"
            throw .invalidBody(detail, errors: unknown.map { ($0, "unknown") })
        }
        do {
            return try makeDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw DecodingProblem.problem(for: error)
        } catch let error as Problem {
            throw error
        } catch let error as any ProblemConvertible {
            throw error.problem
        } catch {
            throw .invalidBody("request body could not be decoded")
        }
    }

    /// The top-level members of a body that must be a JSON object, after checks 1 and 2 (valid UTF-8 JSON, an
    /// object at the top, nested at most 64 deep, no repeated key at any depth); for bodies read member by member
    /// rather than decoded into one type.
    /// - Throws: ``Problem`` (400) on any failure, as ``decode(_:from:)`` does.
    public static func object(from bytes: [UInt8]) throws(Problem) -> [String: StrictJSON.JSONValue] {
        try checkedObject(bytes).members
    }

    /// Checks 1 and 2 (an empty body is refused first, with its own detail); the top-level object's members and
    /// its keys in document order.
    private static func checkedObject(
        _ bytes: [UInt8]
    ) throws(Problem) -> (members: [String: StrictJSON.JSONValue], keys: [String]) {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw .invalidBody("request body is empty; expected a JSON object")
        }
        do {
            return try JSONStructureScanner.topLevelObject(in: bytes)
        } catch {
            throw problem(for: error)
        }
    }

    /// The decoder used: ISO 8601 dates, like Hummingbird's default.
    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// The problem for a scanner failure.
    static func problem(for failure: JSONStructureScanner.Failure) -> Problem {
        switch failure {
        case .syntax(let offset):
            return .invalidBody("request body is not valid JSON (error at byte \(offset))")
        case .invalidUTF8:
            return .invalidBody("request body is not valid UTF-8")
        case .tooDeep(let limit):
            return .invalidBody("request body is nested more than \(limit) levels deep")
        case .duplicateKey(let path):
            return .invalidBody("duplicate field '\(path)'", errors: [(path, "duplicate")])
        case .notAnObject:
            return .invalidBody("request body must be a JSON object")
        }
    }
}
