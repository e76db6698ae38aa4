import EventLog
import Foundation
import Testing
import TextEncoding

@Suite("Terminal text escaping")
struct TerminalTextTests {
    @Test("C0 (tab and newline included), DEL, C1 and bidi controls become visible \\u{XX}; other text is unchanged")
    func escapesUnsafeScalars() {
        #expect(TerminalText.escape("\u{1B}[2J") == "\\u{1B}[2J")
        #expect(TerminalText.escape("a\tb\nc\rd\u{0}") == "a\\u{9}b\\u{A}c\\u{D}d\\u{0}")
        #expect(TerminalText.escape("x\u{7F}\u{80}\u{85}\u{9B}\u{9F}y") == "x\\u{7F}\\u{80}\\u{85}\\u{9B}\\u{9F}y")
        #expect(TerminalText.escape("\u{202A}\u{202E}\u{2066}\u{2069}") == "\\u{202A}\\u{202E}\\u{2066}\\u{2069}")
        // Neighbours of the ranges, and ordinary non-ASCII text, pass.
        let safe = " ~\u{A0}\u{2029}\u{202F}\u{2065}\u{206A}é☎️日本 Mozilla/5.0 (X11; Linux) \\ \"quoted\""
        #expect(TerminalText.escape(safe) == safe)
    }

    @Test("escaped output never holds an unsafe scalar, and escaping again changes nothing (random strings)")
    func randomStrings() {
        var rng = SystemRandomNumberGenerator()
        let interesting: [UInt32] = [0, 7, 9, 10, 13, 0x1B, 0x7F, 0x80, 0x85, 0x9B, 0x9F, 0xA0, 0x202A, 0x202E, 0x2066, 0x2069, 0x5C, 0x7B]
        for _ in 0..<2_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                let value = Bool.random(using: &rng)
                    ? interesting.randomElement(using: &rng)!
                    : UInt32.random(in: 0...0x2FFFF, using: &rng)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            let escaped = TerminalText.escape(text)
            #expect(!escaped.unicodeScalars.contains(where: TerminalText.isUnsafe))
            #expect(TerminalText.escape(escaped) == escaped)
        }
    }

    @Test("JSON strings escape C1 and bidi controls too, and decode back to the same text")
    func jsonQuote() throws {
        let text = "a\u{85}b\u{9B}c\u{202E}d\u{2066}e\u{1B}f\u{7F}g\u{2028}h"
        let quoted = JSONString.quoted(text)
        #expect(!quoted.unicodeScalars.contains(where: TerminalText.isUnsafe))
        #expect(quoted.contains("\\u0085") && quoted.contains("\\u009b") && quoted.contains("\\u202e"))
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(decoded == [text])
    }
}
