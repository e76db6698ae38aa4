@testable import CBOR

/// The error `decoder` reports for `bytes`, or `nil` if decoding succeeded.
func decodeError(_ decoder: CBORDecoder, _ bytes: [UInt8]) -> CBORError? {
    do {
        _ = try decoder.decode(bytes)
        return nil
    } catch {
        return error
    }
}

/// Encodes a value that is known to be encodable, failing the test's expectations otherwise.
func encoded(_ value: CBORValue) throws -> [UInt8] {
    try CBOREncoder().encode(value)
}

/// A small deterministic pseudo-random generator (SplitMix64) so randomized tests are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The name of the first member of the JSON object `json`, or `nil` if it is not an object.
func firstMemberName(_ json: String) throws -> String? {
    try TestJSON.parse(json).memberNames?.first
}
