import Testing
@testable import OTP

@Suite("QR Code encoder")
struct QRCodeTests {
    // MARK: Tables

    @Test("byte capacities and data codewords at level M (ISO/IEC 18004 Tables 7 and 9)")
    func capacities() throws {
        let bytes = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]
        let dataCodewords = [16, 28, 44, 64, 86, 108, 124, 154, 182, 216]
        for version in 1...10 {
            #expect(try QRCode.byteCapacity(version: version) == bytes[version - 1], "version \(version)")
            #expect(QRVersion(version).dataCodewords == dataCodewords[version - 1], "version \(version)")
        }
        #expect(try QRCode.byteCapacity(version: 40) == 2331)
        #expect(QRVersion(40).totalCodewords == 3706)
        #expect(throws: QRCodeError.unsupportedVersion(41)) { try QRCode.byteCapacity(version: 41) }
        // Every version's codewords are split into whole blocks with at most one codeword of difference.
        for version in 1...40 {
            let info = QRVersion(version)
            #expect(info.totalCodewords / info.blocks - info.eccPerBlock > 0)
            #expect(info.rawDataModules - info.totalCodewords * 8 < 8, "remainder bits of version \(version)")
        }
    }

    @Test("alignment pattern centres (Annex E)")
    func alignmentPositions() {
        let expected: [Int: [Int]] = [
            1: [], 2: [6, 18], 6: [6, 34], 7: [6, 22, 38], 10: [6, 28, 50], 14: [6, 26, 46, 66],
            15: [6, 26, 48, 70], 22: [6, 26, 50, 74, 98], 32: [6, 34, 60, 86, 112, 138],
            36: [6, 24, 50, 76, 102, 128, 154], 40: [6, 30, 58, 86, 114, 142, 170],
        ]
        for (version, positions) in expected {
            #expect(QRVersion(version).alignmentPositions == positions, "version \(version)")
        }
    }

    @Test("format information for level M (Annex C), all 8 masks")
    func formatBits() {
        let expected = [
            0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
            0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
        ]
        for mask in 0..<8 { #expect(QRMatrixBuilder.formatBits(mask: mask) == expected[mask], "mask \(mask)") }
    }

    @Test("version information (Annex D)")
    func versionBits() {
        let expected: [Int: Int] = [7: 0x07C94, 8: 0x085BC, 9: 0x09A99, 10: 0x0A4D3, 20: 0x149A6, 40: 0x28C69]
        for (version, bits) in expected { #expect(QRMatrixBuilder.versionBits(version) == bits, "version \(version)") }
    }

    // MARK: Reed–Solomon

    @Test("generator polynomials in exponent form (Annex A)")
    func generatorPolynomials() {
        func exponents(_ degree: Int) -> [Int] { ReedSolomon.generator(degree: degree).map { ReedSolomon.log[Int($0)] } }
        #expect(exponents(7) == [87, 229, 146, 149, 238, 102, 21])
        #expect(exponents(10) == [251, 67, 46, 61, 118, 70, 64, 94, 32, 45])
    }

    @Test("error correction codewords of the 1-M 'HELLO WORLD' example")
    func remainderExample() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.remainder(data, degree: 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test("field arithmetic: α^255 = 1 and every non-zero element has an inverse")
    func field() {
        #expect(ReedSolomon.exp[255] == 1)
        #expect(Set(ReedSolomon.exp[0..<255]).count == 255)
        for value in 1...255 {
            let inverse = ReedSolomon.exp[255 - ReedSolomon.log[value]]
            #expect(ReedSolomon.multiply(UInt8(value), inverse) == 1)
        }
    }

    // MARK: Data encoding

    @Test("data codewords: mode, count, bytes, terminator and pad bytes")
    func dataCodewords() {
        // "AB" in byte mode, version 1: 0100 00000010 01000001 01000010 0000, then 0xEC 0x11 ...
        let codewords = QRCode.dataCodewords(Array("AB".utf8), version: QRVersion(1))
        #expect(codewords.count == 16)
        #expect(Array(codewords.prefix(4)) == [0x40, 0x24, 0x14, 0x20])
        #expect(Array(codewords[4...]) == [0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        // Version 10 uses a 16-bit count.
        let long = QRCode.dataCodewords([0xAA], version: QRVersion(10))
        #expect(Array(long.prefix(4)) == [0x40, 0x00, 0x1A, 0xA0])
    }

    // MARK: Symbols

    @Test("the smallest version that fits is chosen")
    func versionChoice() throws {
        #expect(try QRCode(bytes: []).version == 1)
        #expect(try QRCode(bytes: [UInt8](repeating: 0x41, count: 14)).version == 1)
        #expect(try QRCode(bytes: [UInt8](repeating: 0x41, count: 15)).version == 2)
        #expect(try QRCode(bytes: [UInt8](repeating: 0x41, count: 213)).version == 10)
        #expect(try QRCode(bytes: [UInt8](repeating: 0x41, count: 214)).version == 11)
        #expect(try QRCode(bytes: [UInt8](repeating: 0x41, count: 2331)).version == 40)
        #expect(throws: QRCodeError.payloadTooLarge(byteCount: 2332, capacity: 2331)) {
            try QRCode(bytes: [UInt8](repeating: 0x41, count: 2332))
        }
        #expect(try QRCode(bytes: [1], minimumVersion: 5).version == 5)
        #expect(throws: QRCodeError.unsupportedVersion(0)) { try QRCode(bytes: [1], minimumVersion: 0) }
        #expect(throws: QRCodeError.unsupportedMask(8)) { try QRCode(bytes: [1], mask: 8) }
    }

    @Test("a typical otpauth URI lands in version 6 to 8")
    func otpauthVersion() throws {
        let uri = try OTPAuthURI(issuer: "Example", accountName: "alice@example.com",
                                 secret: [UInt8](repeating: 0x5A, count: 20), totp: TOTP())
        #expect((110...140).contains(uri.string.utf8.count))
        let code = try QRCode(text: uri.string)
        #expect((6...8).contains(code.version))
        #expect(code.size == 4 * code.version + 17)
    }

    @Test("function patterns, dark module, format and version information are in place",
          arguments: [0, 14, 60, 122, 200, 400, 1000])
    func structure(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let code = try QRCode(bytes: payload)
        let size = code.size
        // Finders (7×7 rings around a 3×3 core) and their light separators.
        for (top, left) in [(0, 0), (0, size - 7), (size - 7, 0)] {
            for dy in -1...7 {
                for dx in -1...7 {
                    let row = top + dy, column = left + dx
                    guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                    let ring = max(abs(dy - 3), abs(dx - 3))
                    #expect(code.isDark(row: row, column: column) == (ring != 2 && ring != 4), "finder at \(row),\(column)")
                }
            }
        }
        // Timing patterns.
        for index in 8..<(size - 8) {
            #expect(code.isDark(row: 6, column: index) == (index % 2 == 0))
            #expect(code.isDark(row: index, column: 6) == (index % 2 == 0))
        }
        // The dark module.
        #expect(code.isDark(row: size - 8, column: 8))
        // Both format copies hold level M and the chosen mask.
        var first = 0, second = 0
        func bit(_ row: Int, _ column: Int) -> Int { code.isDark(row: row, column: column) ? 1 : 0 }
        for index in 0...5 { first |= bit(index, 8) << index }
        first |= bit(7, 8) << 6 | bit(8, 8) << 7 | bit(8, 7) << 8
        for index in 9..<15 { first |= bit(8, 14 - index) << index }
        for index in 0..<8 { second |= bit(8, size - 1 - index) << index }
        for index in 8..<15 { second |= bit(size - 15 + index, 8) << index }
        #expect(first == QRMatrixBuilder.formatBits(mask: code.mask))
        #expect(second == first)
        // Both version copies (version 7 and up).
        if code.version >= 7 {
            var upperRight = 0, lowerLeft = 0
            for index in 0..<18 {
                upperRight |= bit(index / 3, size - 11 + index % 3) << index
                lowerLeft |= bit(size - 11 + index % 3, index / 3) << index
            }
            #expect(upperRight == QRMatrixBuilder.versionBits(code.version))
            #expect(lowerLeft == upperRight)
        }
    }

    @Test("the chosen mask has the lowest penalty; forced masks give different symbols")
    func masks() throws {
        let payload = Array("otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example".utf8)
        let chosen = try QRCode(bytes: payload)
        var symbols = Set<[[Bool]]>()
        for mask in 0..<8 {
            let forced = try QRCode(bytes: payload, mask: mask)
            #expect(forced.mask == mask && forced.version == chosen.version)
            symbols.insert(forced.rows)
            if mask == chosen.mask { #expect(forced == chosen) }
        }
        #expect(symbols.count == 8)
    }

    @Test("penalty rules N1–N4 on small lines")
    func penaltyRules() {
        #expect(QRMaskPenalty.runPenalty([true, true, true, true]) == 0)
        #expect(QRMaskPenalty.runPenalty([true, true, true, true, true]) == 3)
        #expect(QRMaskPenalty.runPenalty([false, true, true, true, true, true, true, true]) == 5)
        let finder: [Bool] = [true, false, true, true, true, false, true]
        let light4 = [Bool](repeating: false, count: 4)
        #expect(QRMaskPenalty.finderPenalty(light4 + finder + [true, true, true, true]) == 40)
        #expect(QRMaskPenalty.finderPenalty([true, true, true, true] + finder + light4) == 40)
        #expect(QRMaskPenalty.finderPenalty([true, true, false, true] + finder + [true, true, true, true]) == 0)
        // At the symbol's edge, the outside counts as light.
        #expect(QRMaskPenalty.finderPenalty(finder + [true, true, false, true]) == 40)
        // An all-light 21×21 symbol: runs of 21 in 42 lines, 400 2×2 blocks, 50 % away from half dark.
        #expect(QRMaskPenalty.score([Bool](repeating: false, count: 441), size: 21) == 42 * 19 + 400 * 3 + 100)
    }

    // MARK: SVG

    @Test("SVG: self-contained, one path, quiet zone, and exactly the dark modules")
    func svg() throws {
        let code = try QRCode(text: "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example")
        let svg = code.svg(moduleSize: 5)
        let extent = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(extent * 5)\" height=\"\(extent * 5)\" viewBox=\"0 0 \(extent) \(extent)\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "<path").count == 2)
        for external in ["href", "<image", "url(", "<script", "<style", "@import"] { #expect(!svg.contains(external)) }

        let d = try #require(svg.split(separator: "d=\"").last?.split(separator: "\"").first)
        var dark = [[Bool]](repeating: [Bool](repeating: false, count: extent), count: extent)
        for command in d.split(separator: "M") {
            // "x yhNv1h-Nz" splits into x, y, N, 1, -N.
            let parts = command.split(whereSeparator: { " hvz".contains($0) })
            #expect(parts.count == 5 && parts[3] == "1" && parts[4] == "-" + parts[2], "\(command)")
            let x = try #require(Int(parts[0]))
            let y = try #require(Int(parts[1]))
            let length = try #require(Int(parts[2]))
            for column in x..<(x + length) { dark[y][column] = true }
        }
        for row in 0..<extent {
            for column in 0..<extent {
                let inside = (4..<(code.size + 4)).contains(row) && (4..<(code.size + 4)).contains(column)
                let expected = inside && code.isDark(row: row - 4, column: column - 4)
                #expect(dark[row][column] == expected, "module \(row),\(column)")
            }
        }
    }
}
