import AuthCrypto
import Testing
import TestSupport
@testable import OTP

@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let time: Int64
        let step: UInt64
        let algorithm: OTPAlgorithm
        let secret: [UInt8]
        let code: String
        var testDescription: String { "\(algorithm.rawValue) at \(time)" }
    }

    static func loadVectors() throws -> (digits: Int, period: Int, cases: [Vector]) {
        let root = try Vectors.load("totp_rfc6238.json")
        let parameters = try root.object("parameters")
        #expect(try parameters.int("T0") == 0)
        let vectors = try Vectors.cases("totp_rfc6238.json").map { item in
            guard let algorithm = OTPAlgorithm(rawValue: try item.string("mode")) else { throw Vectors.Missing(description: "unknown mode") }
            return Vector(
                time: Int64(try item.int("time_unix")),
                step: UInt64(try item.int("T")),
                algorithm: algorithm,
                secret: try item.hexBytes("seed_hex"),
                code: try item.string("totp"))
        }
        return (try parameters.int("digits"), try parameters.int("time_step_X"), vectors)
    }

    /// The RFC 4226 secret, reused for the behavioural tests.
    static let secret = Array("12345678901234567890".utf8)
    /// A time in the middle of step 55_555_555.
    static let now: Int64 = 55_555_555 * 30 + 12

    @Test("all 18 RFC 6238 Appendix B values (SHA-1/256/512, 8 digits)")
    func rfcVectors() throws {
        let (digits, period, vectors) = try Self.loadVectors()
        #expect(vectors.count == 18)
        #expect(Set(vectors.map(\.algorithm)) == Set(OTPAlgorithm.allCases))
        for vector in vectors {
            let totp = try TOTP(algorithm: vector.algorithm, digits: digits, period: period)
            #expect(try totp.step(at: vector.time) == vector.step, "\(vector.testDescription)")
            #expect(try totp.code(secret: vector.secret, at: vector.time) == vector.code, "\(vector.testDescription)")
            let match = try totp.verify(code: vector.code, secret: vector.secret, at: vector.time, window: 0, lastUsedStep: nil)
            #expect(match == TOTP.Match(step: vector.step, offset: 0), "\(vector.testDescription)")
        }
    }

    @Test("defaults: SHA-1, 6 digits, 30 s")
    func defaults() throws {
        let totp = try TOTP()
        #expect(totp.algorithm == .sha1 && totp.digits == 6 && totp.period == 30)
        // RFC 6238's SHA-1 code at 59 s is 94287082; its last six digits are the 6-digit code.
        #expect(try totp.code(secret: Self.secret, at: 59) == "287082")
        #expect(try totp.step(at: 29) == 0)
        #expect(try totp.step(at: 30) == 1)
        #expect(try totp.code(secret: Self.secret, at: 30) == totp.code(secret: Self.secret, at: 59))
        #expect(try totp.code(secret: Self.secret, at: 29) != totp.code(secret: Self.secret, at: 30))
    }

    @Test("a code is accepted once: the same step again is refused")
    func refusesReplay() throws {
        let totp = try TOTP()
        let code = try totp.code(secret: Self.secret, at: Self.now)
        let first = try #require(try totp.verify(code: code, secret: Self.secret, at: Self.now, lastUsedStep: nil))
        #expect(first.step == 55_555_555 && first.offset == 0)
        #expect(try totp.verify(code: code, secret: Self.secret, at: Self.now, lastUsedStep: first.step) == nil)
        #expect(try totp.verify(code: code, secret: Self.secret, at: Self.now + 5, lastUsedStep: first.step) == nil)
        // Still refused a step later, when it is inside the window as the previous step.
        #expect(try totp.verify(code: code, secret: Self.secret, at: Self.now + 30, lastUsedStep: first.step) == nil)
    }

    @Test("codes of steps before the last used one are refused, later ones accepted")
    func refusesEarlierSteps() throws {
        let totp = try TOTP()
        let current = try totp.step(at: Self.now)
        let previous = try totp.code(secret: Self.secret, step: current - 1)
        // The previous step's code is within the window, but a later step was already used.
        #expect(try totp.verify(code: previous, secret: Self.secret, at: Self.now, lastUsedStep: current) == nil)
        #expect(try totp.verify(code: previous, secret: Self.secret, at: Self.now, lastUsedStep: current - 1) == nil)
        #expect(try totp.verify(code: previous, secret: Self.secret, at: Self.now, lastUsedStep: current - 2)?.step == current - 1)
        let next = try totp.code(secret: Self.secret, step: current + 1)
        #expect(try totp.verify(code: next, secret: Self.secret, at: Self.now, lastUsedStep: current) == TOTP.Match(step: current + 1, offset: 1))
    }

    @Test("window 1 accepts the neighbouring steps and refuses ±2")
    func window() throws {
        let totp = try TOTP()
        let current = try totp.step(at: Self.now)
        for offset in -3...3 {
            let code = try totp.code(secret: Self.secret, step: UInt64(Int64(current) + Int64(offset)))
            let match = try totp.verify(code: code, secret: Self.secret, at: Self.now, window: 1, lastUsedStep: nil)
            if abs(offset) <= 1 {
                #expect(match == TOTP.Match(step: UInt64(Int64(current) + Int64(offset)), offset: offset), "offset \(offset)")
            } else {
                #expect(match == nil, "offset \(offset)")
            }
            let wide = try totp.verify(code: code, secret: Self.secret, at: Self.now, window: 2, lastUsedStep: nil)
            #expect((wide != nil) == (abs(offset) <= 2), "offset \(offset), window 2")
            let exact = try totp.verify(code: code, secret: Self.secret, at: Self.now, window: 0, lastUsedStep: nil)
            #expect((exact != nil) == (offset == 0), "offset \(offset), window 0")
        }
    }

    @Test("a code valid in two neighbouring steps matches the later one, so it cannot be replayed")
    func collision() throws {
        // Steps 50_424_280 and 50_424_281 both give 070562 for the RFC secret (found by a search in Python).
        let totp = try TOTP()
        #expect(try totp.code(secret: Self.secret, step: 50_424_280) == "070562")
        #expect(try totp.code(secret: Self.secret, step: 50_424_281) == "070562")
        let time = Int64(50_424_280) * 30 + 10
        let match = try totp.verify(code: "070562", secret: Self.secret, at: time, lastUsedStep: nil)
        #expect(match == TOTP.Match(step: 50_424_281, offset: 1))
        #expect(try totp.verify(code: "070562", secret: Self.secret, at: time, lastUsedStep: match?.step) == nil)
        #expect(try totp.verify(code: "070562", secret: Self.secret, at: time + 30, lastUsedStep: match?.step) == nil)
    }

    @Test("the window stops at step 0")
    func windowAtEpoch() throws {
        let totp = try TOTP()
        let code = try totp.code(secret: Self.secret, at: 0)
        #expect(try totp.verify(code: code, secret: Self.secret, at: 10, lastUsedStep: nil) == TOTP.Match(step: 0, offset: 0))
    }

    @Test("malformed codes are refused without error", arguments: [
        "", "28708", "2870822", "28708a", " 287082", "287082 ", "+28708", "-28708", "２８７０８２", "٢٨٧٠٨٢", "287 082", "0x1234",
    ])
    func refusesMalformed(code: String) throws {
        let totp = try TOTP()
        #expect(try totp.verify(code: code, secret: Self.secret, at: 59, lastUsedStep: nil) == nil)
        #expect(try totp.verify(code: "287082", secret: Self.secret, at: 59, lastUsedStep: nil) != nil)
    }

    @Test("a wrong code is refused")
    func refusesWrongCode() throws {
        let totp = try TOTP()
        let right = try totp.code(secret: Self.secret, at: Self.now)
        let wrong = String(right.dropLast()) + (right.last == "0" ? "1" : "0")
        #expect(try totp.verify(code: wrong, secret: Self.secret, at: Self.now, lastUsedStep: nil) == nil)
        var otherSecret = Self.secret
        otherSecret[0] ^= 1
        #expect(try totp.verify(code: right, secret: otherSecret, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test("configuration errors throw")
    func configurationErrors() throws {
        #expect(throws: OTPError.unsupportedDigits(5)) { try TOTP(digits: 5) }
        #expect(throws: OTPError.unsupportedDigits(9)) { try TOTP(digits: 9) }
        #expect(throws: OTPError.unsupportedPeriod(0)) { try TOTP(period: 0) }
        #expect(throws: OTPError.unsupportedPeriod(-30)) { try TOTP(period: -30) }
        let totp = try TOTP()
        #expect(throws: OTPError.timeBeforeEpoch(-1)) { try totp.code(secret: Self.secret, at: -1) }
        #expect(throws: OTPError.unsupportedWindow(11)) {
            try totp.verify(code: "123456", secret: Self.secret, at: 0, window: 11, lastUsedStep: nil)
        }
        #expect(throws: OTPError.unsupportedWindow(-1)) {
            try totp.verify(code: "123456", secret: Self.secret, at: 0, window: -1, lastUsedStep: nil)
        }
        #expect(throws: OTPError.secretTooShort(byteCount: 10)) {
            try totp.verify(code: "123456", secret: [UInt8](repeating: 7, count: 10), at: 0, lastUsedStep: nil)
        }
    }

    @Test("SHA-256/512 generators with 8 digits and a 60 s period")
    func otherParameters() throws {
        let totp = try TOTP(algorithm: .sha512, digits: 8, period: 60)
        let code = try totp.code(secret: Self.secret, at: Self.now)
        #expect(code.count == 8)
        #expect(try totp.step(at: Self.now) == UInt64(Self.now) / 60)
        #expect(try totp.verify(code: code, secret: Self.secret, at: Self.now + 60, lastUsedStep: nil)?.offset == -1)
        #expect(try TOTP(algorithm: .sha256).code(secret: Self.secret, at: Self.now) != TOTP().code(secret: Self.secret, at: Self.now))
    }
}
