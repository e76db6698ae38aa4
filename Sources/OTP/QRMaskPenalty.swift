/// The data-mask evaluation of ISO/IEC 18004:2015 §7.8.3.1 (Table 11), with N1 = 3, N2 = 3, N3 = 40 and
/// N4 = 10. It scores the masked symbol before the format and version information are drawn (those
/// areas and the dark module count as light), and treats the area outside the symbol as light.
enum QRMaskPenalty {
    /// The 1:1:3:1:1 finder-like pattern (dark, light, dark ×3, light, dark).
    private static let finderLike: [Bool] = [true, false, true, true, true, false, true]

    /// The total penalty of a square `size`×`size` row-major module matrix.
    static func score(_ modules: [Bool], size: Int) -> Int {
        var total = 0
        var line = [Bool](repeating: false, count: size)
        for index in 0..<size {
            for k in 0..<size { line[k] = modules[index * size + k] }
            total += runPenalty(line) + finderPenalty(line)
            for k in 0..<size { line[k] = modules[k * size + index] }
            total += runPenalty(line) + finderPenalty(line)
        }
        // N2: every 2×2 block of one colour.
        for y in 1..<size {
            for x in 1..<size {
                let colour = modules[y * size + x]
                if modules[y * size + x - 1] == colour, modules[(y - 1) * size + x] == colour, modules[(y - 1) * size + x - 1] == colour {
                    total += 3
                }
            }
        }
        // N4: 10 points for each full 5 % that the dark proportion lies away from 50 %.
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let count = size * size
        total += 10 * (abs(20 * dark - 10 * count) / count)
        return total
    }

    /// N1: each run of 5 + i modules of one colour scores 3 + i.
    static func runPenalty(_ line: [Bool]) -> Int {
        var penalty = 0
        var run = 0
        var previous: Bool? = nil
        for module in line {
            if module == previous {
                run += 1
            } else {
                if run >= 5 { penalty += run - 2 }
                run = 1
                previous = module
            }
        }
        if run >= 5 { penalty += run - 2 }
        return penalty
    }

    /// N3: each 1:1:3:1:1 pattern with four light modules (or the symbol's edge) before or after it
    /// scores 40. After a scored pattern the search resumes past it; after an unscored one, at its centre.
    static func finderPenalty(_ line: [Bool]) -> Int {
        let size = line.count
        var penalty = 0
        var start = 0
        while let index = find(finderLike, in: line, from: start) {
            let before = line[max(index - 4, 0)..<index]
            let after = line[(index + 7)..<min(index + 11, size)]
            if !before.contains(true) || !after.contains(true) {
                penalty += 40
                start = index + 7
            } else {
                start = index + 4
            }
        }
        return penalty
    }

    private static func find(_ pattern: [Bool], in line: [Bool], from start: Int) -> Int? {
        guard line.count >= pattern.count, start <= line.count - pattern.count else { return nil }
        for index in start...(line.count - pattern.count) {
            var matched = true
            for k in 0..<pattern.count where line[index + k] != pattern[k] {
                matched = false
                break
            }
            if matched { return index }
        }
        return nil
    }
}
