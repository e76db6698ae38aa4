import EventLog
import Testing

@Suite("Audit time and seq arguments")
struct AuditTimeTests {
    static let now = Timestamp(rfc3339: "2026-12-07T10:00:00Z")!

    @Test("RFC 3339 with Z or a full ±HH:MM offset, and relative durations, parse")
    func valid() throws {
        #expect(try AuditTime.parse("2026-01-01T00:00:00Z", now: Self.now).rfc3339 == "2026-01-01T00:00:00.000000Z")
        #expect(try AuditTime.parse("2026-01-01T05:00:00+05:00", now: Self.now).rfc3339 == "2026-01-01T00:00:00.000000Z")
        #expect(try AuditTime.parse("2h", now: Self.now).rfc3339 == "2026-12-07T08:00:00.000000Z")
        #expect(try AuditTime.parse("7d", now: Self.now).rfc3339 == "2026-11-30T10:00:00.000000Z")
        #expect(try AuditTime.parse("0s", now: Self.now) == Self.now)
    }

    @Test("truncated offsets, huge or signed durations and garbage are errors with a message, not traps")
    func invalid() {
        for text in [
            "2026-01-01T00:00:00+05", "2026-01-01T00:00:00+05:", "2026-01-01T00:00:00+05:0", "2026-01-01T00:00:00+",
            "2026-01-01T00:00:00+99:00", "2026-01-01T00:00:00+05:99", "99999999999999d", "9223372036854775807s",
            "99999999999999999999999d", "-5d", "+5d", "d", "", "5", "5w", "٣d", "1.5h", " 2h", "2026-13-01T00:00:00Z",
        ] {
            #expect(throws: AuditArgumentError.self, "\(text)") { try AuditTime.parse(text, now: Self.now) }
        }
        #expect(throws: AuditArgumentError.self) { try AuditTime.parse("1970-01-01T00:00:00+01:00", now: Self.now) }
    }

    @Test("random strings never trap (fuzz): each one parses or is refused")
    func randomStrings() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-+:TtZz.smhd ÿ\u{0}\u{1B}٣")
        let seeds = ["2026-01-01T00:00:00", "2026-01-01T00:00:00.123456", "9999-12-31T23:59:59", "99999", "2h"]
        var parsed = 0
        for _ in 0..<20_000 {
            var text = Bool.random(using: &rng) ? seeds.randomElement(using: &rng)! : ""
            for _ in 0..<Int.random(in: 0...12, using: &rng) { text.append(alphabet.randomElement(using: &rng)!) }
            if Bool.random(using: &rng), !text.isEmpty {
                var scalars = Array(text)
                scalars.remove(at: Int.random(in: 0..<scalars.count, using: &rng))
                text = String(scalars)
            }
            if (try? AuditTime.parse(text, now: Self.now)) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }

    @Test("seq ranges start at 1 and are not reversed")
    func seqRange() throws {
        #expect(try AuditSeqRange(from: nil, to: nil) == AuditSeqRange(from: 1, to: UInt64.max))
        #expect(try AuditSeqRange(from: 5, to: 5).first == 5)
        #expect(throws: AuditArgumentError.self) { try AuditSeqRange(from: 0, to: nil) }
        #expect(throws: AuditArgumentError.self) { try AuditSeqRange(from: nil, to: 0) }
        #expect(throws: AuditArgumentError.self) { try AuditSeqRange(from: 9, to: 3) }
    }
}
