import AuthCrypto
import Testing

@Suite struct ConstantTimeTests {
    @Test func equalBytes() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(ConstantTime.equals([], []))
    }

    @Test func differingBytesAnywhere() {
        let base: [UInt8] = Array(repeating: 0xAB, count: 64)
        for index in base.indices {
            var other = base
            other[index] ^= 0x01
            #expect(!ConstantTime.equals(base, other), "difference at \(index)")
        }
    }

    @Test func differentLengthsAreUnequal() {
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
        #expect(!ConstantTime.equals([0], []))
    }
}
