import Testing

@testable import CBOR

/// In-process randomized checks (the libFuzzer harness in Tests/Fuzz goes further).
@Suite("Robustness")
struct RobustnessTests {
    @Test("random and mutated inputs never trap, and whatever decodes re-encodes to an equal value")
    func randomInputs() throws {
        var generator = SeededGenerator(seed: 8949)
        var seeds: [[UInt8]] = []
        for testCase in try Vectors.cases("cases") + Vectors.cases("not_well_formed_cases") {
            seeds.append(try Vectors.bytes(hex: testCase["hex"]?.stringValue ?? ""))
        }
        let decoders = [CBORDecoder(), CBORDecoder(allowIndefinite: true), CBORDecoder(requireCanonical: true)]
        var accepted = 0
        for round in 0..<30_000 {
            var input: [UInt8]
            if round % 3 == 0 {
                input = (0..<Int.random(in: 0...24, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                input = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let position = Int.random(in: 0...input.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where position < input.count: input[position] = UInt8.random(in: 0...255, using: &generator)
                    case 1: input.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                    default: if position < input.count { input.remove(at: position) }
                    }
                }
            }
            for decoder in decoders {
                guard let value = try? decoder.decode(input) else { continue }
                accepted += 1
                let bytes = try CBOREncoder().encode(value)
                #expect(try CBORDecoder().decode(bytes) == value, "\(Vectors.hex(input))")
                if decoder.requireCanonical {
                    #expect(bytes == input, "canonical input \(Vectors.hex(input)) must re-encode identically")
                }
            }
        }
        #expect(accepted > 1_000)
    }
}
