/// Strict UTF-8 validation (RFC 3629; Unicode Table 3-7): no overlong forms, no surrogates,
/// nothing above U+10FFFF, no truncated sequences.
enum UTF8Validation {
    /// The index of the first byte of the first ill-formed sequence in `bytes[start..<end]`,
    /// or `nil` if the range is valid UTF-8. `start...end` must lie within `bytes`.
    static func firstInvalidIndex(in bytes: [UInt8], from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index &+= 1
                continue
            }
            let count: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: count = 1
            case 0xE0: count = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: count = 2
            case 0xED: count = 2; high = 0x9F
            case 0xF0: count = 3; low = 0x90
            case 0xF1...0xF3: count = 3
            case 0xF4: count = 3; high = 0x8F
            default: return index
            }
            guard end - index > count else { return index }
            let second = bytes[index &+ 1]
            guard second >= low && second <= high else { return index }
            var offset = 2
            while offset <= count {
                let next = bytes[index &+ offset]
                guard next >= 0x80 && next <= 0xBF else { return index }
                offset &+= 1
            }
            index &+= count &+ 1
        }
        return nil
    }
}
