import AuthCrypto
import Testing
@testable import OTP

@Suite("Backup codes")
struct BackupCodesTests {
    static let key = [UInt8](repeating: 0x42, count: 32)
    static let alphabet = Set(BackupCodes.alphabet)

    @Test("10 distinct codes as XXXX-XXXX-XXXX-XXXX in Crockford base32")
    func format() {
        let codes = BackupCodes.generate()
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        for code in codes {
            let groups = code.split(separator: "-", omittingEmptySubsequences: false)
            #expect(groups.count == 4 && groups.allSatisfy { $0.count == 4 }, "\(code)")
            #expect(groups.joined().allSatisfy { Self.alphabet.contains($0) }, "\(code)")
            #expect(BackupCodes.normalize(code) == groups.joined())
        }
        #expect(BackupCodes.generate(count: 3).count == 3)
    }

    @Test("80 bits each: 16 symbols of 32, every bit position varies evenly")
    func entropy() {
        #expect(BackupCodes.characterCount * 5 >= 64)
        #expect(BackupCodes.alphabet.count == 32 && Self.alphabet.count == 32)
        let sampleCount = 2000
        var ones = [Int](repeating: 0, count: 80)
        var symbolCounts: [Character: Int] = [:]
        for _ in 0..<(sampleCount / 10) {
            for code in BackupCodes.generate() {
                let canonical = BackupCodes.normalize(code)!
                for (position, character) in canonical.enumerated() {
                    symbolCounts[character, default: 0] += 1
                    let value = BackupCodes.alphabet.distance(
                        from: BackupCodes.alphabet.startIndex, to: BackupCodes.alphabet.firstIndex(of: character)!)
                    for bit in 0..<5 where (value >> (4 - bit)) & 1 == 1 { ones[position * 5 + bit] += 1 }
                }
            }
        }
        // Each bit is set in ~1000 of 2000 codes (σ ≈ 22); ±200 is over 8σ, so this fails only on a real bias.
        for (position, count) in ones.enumerated() { #expect((800...1200).contains(count), "bit \(position): \(count)") }
        // Each symbol appears ~1000 times in 32000 characters (σ ≈ 31).
        #expect(symbolCounts.count == 32)
        for (symbol, count) in symbolCounts { #expect((700...1300).contains(count), "\(symbol): \(count)") }
    }

    @Test("input is normalised: case, dashes, whitespace and confusables", arguments: [
        ("ABCD-EFGH-JKMN-PQRS", "ABCDEFGHJKMNPQRS"),
        ("abcd-efgh-jkmn-pqrs", "ABCDEFGHJKMNPQRS"),
        ("  aBcD efgh\tJKMN-pqrs \n", "ABCDEFGHJKMNPQRS"),
        ("abcdefghjkmnpqrs", "ABCDEFGHJKMNPQRS"),
        ("OOOO-oooo-IIII-LLLL", "0000000011111111"),
        ("iiii-llll-0000-1111", "1111111100001111"),
        ("--7K3M--Q9TZ-0CXH-WD4R--", "7K3MQ9TZ0CXHWD4R"),
    ])
    func normalises(input: String, canonical: String) {
        #expect(BackupCodes.normalize(input) == canonical)
    }

    @Test("non-codes are refused", arguments: [
        "", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "ABCD-EFGH-JKMN-PQRU", "ABCD_EFGH_JKMN_PQRS",
        "ABCD.EFGH.JKMN.PQRS", "ÀBCD-EFGH-JKMN-PQRS", "ＡBCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQR\u{0}",
    ])
    func refuses(input: String) throws {
        #expect(BackupCodes.normalize(input) == nil)
        #expect(throws: BackupCodeError.malformedCode) { try BackupCodes.hash(code: input, key: Self.key) }
        #expect(try BackupCodes.firstMatch(code: input, key: Self.key, storedHashes: []) == nil)
    }

    @Test("the hash is HMAC-SHA-256 of the canonical code under the key")
    func hash() throws {
        let code = "7K3M-Q9TZ-0CXH-WD4R"
        let stored = try BackupCodes.hash(code: code, key: Self.key)
        #expect(stored.count == 32)
        #expect(stored == HMAC.authenticate(key: Self.key, message: Array("7K3MQ9TZ0CXHWD4R".utf8), algorithm: .sha256))
        #expect(try BackupCodes.hash(code: "7k3m q9tz ocxh wd4r", key: Self.key) == stored)
        var otherKey = Self.key
        otherKey[31] ^= 1
        #expect(try BackupCodes.hash(code: code, key: otherKey) != stored)
        #expect(try BackupCodes.hash(code: "7K3M-Q9TZ-0CXH-WD4S", key: Self.key) != stored)
        #expect(throws: BackupCodeError.keyTooShort(byteCount: 31)) {
            try BackupCodes.hash(code: code, key: [UInt8](repeating: 1, count: 31))
        }
    }

    @Test("matching against stored hashes")
    func matching() throws {
        let codes = BackupCodes.generate()
        let stored = try codes.map { try BackupCodes.hash(code: $0, key: Self.key) }
        for (index, code) in codes.enumerated() {
            #expect(try BackupCodes.firstMatch(code: code.lowercased(), key: Self.key, storedHashes: stored) == index)
        }
        let stranger = BackupCodes.generate(count: 1)[0]
        #expect(try BackupCodes.firstMatch(code: stranger, key: Self.key, storedHashes: stored) == nil)
        // Once the caller removes a used hash, the code no longer matches.
        var remaining = stored
        remaining.remove(at: 3)
        #expect(try BackupCodes.firstMatch(code: codes[3], key: Self.key, storedHashes: remaining) == nil)
        #expect(throws: BackupCodeError.keyTooShort(byteCount: 0)) {
            try BackupCodes.firstMatch(code: codes[0], key: [], storedHashes: stored)
        }
    }
}
