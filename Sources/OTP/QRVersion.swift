/// The layout facts of one QR Code version at error correction level M (ISO/IEC 18004 Tables 1, 7, 9
/// and Annex E), derived from two small tables and the standard's geometry.
struct QRVersion: Sendable, Hashable {
    /// Error correction codewords per block at level M, indexed by version (index 0 unused).
    private static let eccCodewordsPerBlock: [Int] = [
        0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
        26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ]
    /// Error correction blocks at level M, indexed by version (index 0 unused).
    private static let blockCount: [Int] = [
        0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
        17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ]

    /// The version number, 1...40.
    let number: Int

    init(_ number: Int) {
        precondition((1...40).contains(number))
        self.number = number
    }

    /// Modules per side: 4·version + 17.
    var size: Int { 4 * number + 17 }

    /// Error correction codewords in each block.
    var eccPerBlock: Int { Self.eccCodewordsPerBlock[number] }

    /// Number of error correction blocks.
    var blocks: Int { Self.blockCount[number] }

    /// Modules available for codewords (and remainder bits): everything but the function patterns and
    /// the format and version information.
    var rawDataModules: Int {
        var result = (16 * number + 128) * number + 64
        if number >= 2 {
            let alignmentCount = number / 7 + 2
            result -= (25 * alignmentCount - 10) * alignmentCount - 55
            if number >= 7 { result -= 36 }
        }
        return result
    }

    /// All codewords, data and error correction.
    var totalCodewords: Int { rawDataModules / 8 }

    /// Data codewords at level M.
    var dataCodewords: Int { totalCodewords - eccPerBlock * blocks }

    /// Bits of the byte-mode character count indicator: 8 up to version 9, 16 from version 10.
    var characterCountBits: Int { number <= 9 ? 8 : 16 }

    /// The most payload bytes a byte-mode segment can carry at level M.
    var byteCapacity: Int { (dataCodewords * 8 - 4 - characterCountBits) / 8 }

    /// Centre coordinates of the alignment patterns along each axis (Annex E), empty for version 1.
    var alignmentPositions: [Int] {
        guard number >= 2 else { return [] }
        let count = number / 7 + 2
        let step = number == 32 ? 26 : (number * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var positions = [6]
        var position = size - 7
        var tail: [Int] = []
        while tail.count < count - 1 {
            tail.insert(position, at: 0)
            position -= step
        }
        positions.append(contentsOf: tail)
        return positions
    }
}
