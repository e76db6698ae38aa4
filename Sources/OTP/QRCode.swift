/// A QR Code symbol (ISO/IEC 18004:2015) holding one byte-mode segment at error correction level M,
/// in the smallest version from 1 to 40 that fits, with the data mask of lowest penalty.
///
/// An `otpauth://` URI of about 120 bytes needs version 6 to 8. Render it with `svg(moduleSize:)`; the
/// matrix itself has no quiet zone (`quietZone` modules of light border belong around it).
public struct QRCode: Sendable, Hashable {
    /// The light border every rendering must keep around the symbol, in modules (§6.3.8).
    public static let quietZone = 4
    /// The versions this encoder can produce.
    public static let supportedVersions: ClosedRange<Int> = 1...40

    /// The version, 1...40; the symbol is `4 * version + 17` modules wide.
    public let version: Int
    /// The data mask pattern, 0...7.
    public let mask: Int
    /// Modules per side, without the quiet zone.
    public let size: Int
    private let modules: [Bool]

    /// Encodes `text` as UTF-8 (no ECI header, which is what authenticator apps expect for URIs).
    public init(text: String, minimumVersion: Int = 1) throws(QRCodeError) {
        try self.init(bytes: Array(text.utf8), minimumVersion: minimumVersion)
    }

    /// Encodes `bytes` in the smallest version at or above `minimumVersion` that holds them. `mask` forces
    /// a mask pattern (for tests and comparisons); by default all eight are scored and the lowest wins
    /// (the first, on a tie). Throws `.payloadTooLarge` beyond version 40 (2331 bytes).
    public init(bytes: [UInt8], minimumVersion: Int = 1, mask: Int? = nil) throws(QRCodeError) {
        guard Self.supportedVersions.contains(minimumVersion) else { throw .unsupportedVersion(minimumVersion) }
        if let mask, !(0...7).contains(mask) { throw .unsupportedMask(mask) }
        guard let number = (minimumVersion...40).first(where: { QRVersion($0).byteCapacity >= bytes.count }) else {
            throw .payloadTooLarge(byteCount: bytes.count, capacity: QRVersion(40).byteCapacity)
        }
        let version = QRVersion(number)
        let codewords = Self.interleavedCodewords(Self.dataCodewords(bytes, version: version), version: version)
        var builder = QRMatrixBuilder(version: version)
        builder.placeCodewords(codewords)

        let chosenMask: Int
        if let mask {
            chosenMask = mask
        } else {
            var best = (mask: 0, score: Int.max)
            for candidate in 0..<8 {
                var trial = builder
                trial.applyMask(candidate)
                let score = QRMaskPenalty.score(trial.modules, size: trial.size)
                if score < best.score { best = (candidate, score) }
            }
            chosenMask = best.mask
        }
        builder.finish(mask: chosenMask)
        self.version = number
        self.mask = chosenMask
        self.size = version.size
        self.modules = builder.modules
    }

    /// The most bytes a byte-mode symbol of `version` holds at level M (14 for version 1, 2331 for 40).
    public static func byteCapacity(version: Int) throws(QRCodeError) -> Int {
        guard supportedVersions.contains(version) else { throw .unsupportedVersion(version) }
        return QRVersion(version).byteCapacity
    }

    /// Whether the module at `row`, `column` (0-based, from the top-left, quiet zone excluded) is dark.
    public func isDark(row: Int, column: Int) -> Bool {
        precondition((0..<size).contains(row) && (0..<size).contains(column), "module outside the symbol")
        return modules[row * size + column]
    }

    /// The modules row by row, `true` for dark, without the quiet zone.
    public var rows: [[Bool]] {
        (0..<size).map { row in Array(modules[(row * size)..<((row + 1) * size)]) }
    }

    /// The data codewords: mode indicator 0100, character count, the bytes, up to four terminator bits,
    /// zero bits to a byte boundary, then the pad bytes 0xEC 0x11 alternately (§7.4).
    static func dataCodewords(_ bytes: [UInt8], version: QRVersion) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 != 0) }
        }
        append(0b0100, 4)
        append(bytes.count, version.characterCountBits)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = version.dataCodewords * 8
        precondition(bits.count <= capacity, "payload exceeds the version's capacity")
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var codewords: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<(start + 8)].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < version.dataCodewords {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data into the version's blocks (short blocks first, long ones one codeword longer),
    /// appends each block's Reed–Solomon codewords, and interleaves data then error correction codewords
    /// column by column (§7.5–7.6).
    static func interleavedCodewords(_ data: [UInt8], version: QRVersion) -> [UInt8] {
        precondition(data.count == version.dataCodewords)
        let blockCount = version.blocks
        let eccCount = version.eccPerBlock
        let shortBlockCount = blockCount - version.totalCodewords % blockCount
        let shortDataLength = version.totalCodewords / blockCount - eccCount
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var start = 0
        for index in 0..<blockCount {
            let length = shortDataLength + (index < shortBlockCount ? 0 : 1)
            let block = Array(data[start..<(start + length)])
            start += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, degree: eccCount))
        }
        var result: [UInt8] = []
        result.reserveCapacity(version.totalCodewords)
        for column in 0...shortDataLength {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<eccCount {
            for block in eccBlocks { result.append(block[column]) }
        }
        precondition(result.count == version.totalCodewords)
        return result
    }
}
