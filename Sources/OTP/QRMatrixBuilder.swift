/// Draws a QR Code symbol (ISO/IEC 18004:2015 §6.3, §7.7–7.10): function patterns, codeword placement,
/// data masking and format/version information. Coordinates are (x = column, y = row).
struct QRMatrixBuilder {
    let version: QRVersion
    let size: Int
    /// Dark modules, row-major.
    private(set) var modules: [Bool]
    /// Modules that belong to function patterns or the format/version areas (never masked).
    private(set) var isFunction: [Bool]

    /// A symbol of `version` with the function patterns drawn and the format and version areas reserved
    /// (light). The dark module's position is reserved too and drawn with the format information.
    init(version: QRVersion) {
        self.version = version
        size = version.size
        modules = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        drawFunctionPatterns()
    }

    /// Whether the module at column `x`, row `y` is dark.
    func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }

    private mutating func setFunction(x: Int, y: Int, dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    private mutating func drawFunctionPatterns() {
        // Timing patterns (row 6 and column 6); finders and alignment patterns overwrite their ends.
        for index in 0..<size {
            setFunction(x: 6, y: index, dark: index % 2 == 0)
            setFunction(x: index, y: 6, dark: index % 2 == 0)
        }
        // Finder patterns with their separators.
        drawFinder(centerX: 3, centerY: 3)
        drawFinder(centerX: size - 4, centerY: 3)
        drawFinder(centerX: 3, centerY: size - 4)
        // Alignment patterns, except the three that would overlap the finders.
        let positions = version.alignmentPositions
        let last = positions.count - 1
        for (i, y) in positions.enumerated() {
            for (j, x) in positions.enumerated() where !((i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)) {
                for dy in -2...2 {
                    for dx in -2...2 { setFunction(x: x + dx, y: y + dy, dark: max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        // Reserve the format areas (and the dark module) light, and the version areas.
        drawFormatBits(0, darkModule: false)
        if version.number >= 7 { drawVersionBits(0) }
    }

    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx, y = centerY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let distance = max(abs(dx), abs(dy))
                setFunction(x: x, y: y, dark: distance != 2 && distance != 4)
            }
        }
    }

    /// The 15-bit format information for level M and `mask`: BCH(15,5) with generator 0x537, masked
    /// with 0x5412 (§7.9.1).
    static func formatBits(mask: Int) -> Int {
        let data = 0b00 << 3 | mask // level M is 00
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18-bit version information: BCH(18,6) with generator 0x1F25 (§7.10).
    static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    /// Draws both copies of the format information (bit 0 is the least significant) and the dark module.
    mutating func drawFormatBits(_ bits: Int, darkModule: Bool = true) {
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 != 0 }
        // Around the top-left finder.
        for index in 0...5 { setFunction(x: 8, y: index, dark: bit(index)) }
        setFunction(x: 8, y: 7, dark: bit(6))
        setFunction(x: 8, y: 8, dark: bit(7))
        setFunction(x: 7, y: 8, dark: bit(8))
        for index in 9..<15 { setFunction(x: 14 - index, y: 8, dark: bit(index)) }
        // Split between the top-right and bottom-left finders.
        for index in 0..<8 { setFunction(x: size - 1 - index, y: 8, dark: bit(index)) }
        for index in 8..<15 { setFunction(x: 8, y: size - 15 + index, dark: bit(index)) }
        setFunction(x: 8, y: size - 8, dark: darkModule)
    }

    /// Draws both 6×3 copies of the version information (versions 7 and up).
    mutating func drawVersionBits(_ bits: Int) {
        for index in 0..<18 {
            let dark = (bits >> index) & 1 != 0
            let a = size - 11 + index % 3, b = index / 3
            setFunction(x: a, y: b, dark: dark)
            setFunction(x: b, y: a, dark: dark)
        }
    }

    /// Places the codewords in the two-column zigzag from the bottom-right corner, skipping function
    /// modules and the vertical timing column (§7.7.3). Remainder modules stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<size {
                let y = upward ? size - 1 - vertical : vertical
                for column in 0..<2 {
                    let x = right - column
                    guard !isFunction[y * size + x], bitIndex < bitCount else { continue }
                    modules[y * size + x] = (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1 != 0
                    bitIndex += 1
                }
            }
            right -= 2
        }
        precondition(bitIndex == bitCount, "codewords do not fill the symbol")
    }

    /// Whether data mask pattern `mask` inverts the module at row `i`, column `j` (§7.8.2, Table 10).
    static func maskCondition(_ mask: Int, row i: Int, column j: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }

    /// Inverts the non-function modules selected by `mask` (applying it twice undoes it).
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && Self.maskCondition(mask, row: y, column: x) {
                modules[y * size + x].toggle()
            }
        }
    }

    /// Applies the chosen mask and draws the format and version information for it.
    mutating func finish(mask: Int) {
        applyMask(mask)
        drawFormatBits(Self.formatBits(mask: mask))
        if version.number >= 7 { drawVersionBits(Self.versionBits(version.number)) }
    }
}
