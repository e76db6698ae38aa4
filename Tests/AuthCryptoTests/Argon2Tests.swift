import AuthCrypto
import TestSupport
import Testing

/// Argon2 against RFC 9106 §5 and the reference implementation's KATs and encoded-string tests.
/// Serialized: each case takes up to 1 GiB and a core, and the machine has two.
@Suite(.serialized) struct Argon2Tests {
    static func variant(_ name: String) throws -> Argon2.Variant {
        guard let variant = Argon2.Variant(rawValue: name) else { throw Vectors.Missing(description: "unknown Argon2 type \(name)") }
        return variant
    }

    static func rawTag(_ entry: [String: Any], password: [UInt8], salt: [UInt8], secret: [UInt8] = [], ad: [UInt8] = []) throws -> [UInt8] {
        let version = try #require(Argon2.Version(rawValue: UInt32(try entry.int("version"))))
        return try Argon2.hash(
            variant: variant(entry.string("type")), version: version,
            password: password, salt: salt, secret: secret, associatedData: ad,
            memoryKiB: UInt32(try entry.int("memory_kib")), iterations: UInt32(try entry.int("iterations")),
            parallelism: UInt32(try entry.int("parallelism")), tagLength: try entry.int("tag_length"))
    }

    /// RFC 9106 §5.1-5.3 (Argon2d, Argon2i, Argon2id v0x13) with secret K and associated data X, and the
    /// reference's legacy v0x10 KATs with the same inputs.
    @Test func rfc9106AndLegacyKATs() throws {
        let current = try Vectors.cases("argon2_rfc9106.json")
        let legacy = try Vectors.cases("argon2_rfc9106.json", "legacy_v16_kat_cases")
        #expect(current.count == 3 && legacy.count == 3)
        for entry in current + legacy {
            let tag = try Self.rawTag(entry, password: entry.hex("password_hex"), salt: entry.hex("salt_hex"),
                                      secret: entry.hex("secret_hex"), ad: entry.hex("associated_data_hex"))
            #expect(Encoding.hex(tag) == (try entry.string("tag_hex")), "\(entry["id"] ?? "")")
        }
    }

    /// Every encoded PHC string verifies with its password (the two 1 GiB TEST_LARGE_RAM ones included),
    /// fails with another password, and — except for those two — has the tag that raw Argon2 computes.
    @Test func encodedCasesVerify() throws {
        let cases = try Vectors.cases("argon2_rfc9106.json", "encoded_cases")
        #expect(cases.count == 26)
        var largeRAM = 0
        for entry in cases {
            let id = try entry.string("id")
            let encoded = try entry.string("encoded")
            let password = Array(try entry.string("password").utf8)
            #expect(Argon2id.verify(encoded: encoded, password: password), "\(id)")
            let parameters = try #require(Argon2id.parameters(of: encoded))
            #expect(parameters == Argon2id.Parameters(memoryKiB: UInt32(try entry.int("memory_kib")),
                                                      iterations: UInt32(try entry.int("iterations")),
                                                      parallelism: UInt32(try entry.int("parallelism"))), "\(id)")
            if entry["large_ram_only"] as? Bool == true {
                largeRAM += 1
                continue
            }
            #expect(!Argon2id.verify(encoded: encoded, password: password + Array("x".utf8)), "\(id) wrong password")
            let tag = try Self.rawTag(entry, password: password, salt: Array(try entry.string("salt").utf8))
            #expect(Encoding.hex(tag) == (try entry.string("tag_hex")), "\(id) raw tag")
        }
        #expect(largeRAM == 2)
    }

    /// The reference's negative cases: bad encodings and a wrong password are all rejected.
    @Test func encodedRejectCases() throws {
        let cases = try Vectors.cases("argon2_rfc9106.json", "encoded_reject_cases")
        #expect(cases.count == 8)
        for entry in cases {
            let encoded = try entry.string("encoded")
            #expect(!Argon2id.verify(encoded: encoded, password: try entry.string("password")), "\(entry["id"] ?? "")")
            let mismatchOnly = try entry.string("reference_error") == "ARGON2_VERIFY_MISMATCH"
            #expect((Argon2id.parameters(of: encoded) != nil) == mismatchOnly, "\(entry["id"] ?? "") parses only if well-formed")
        }
    }

    @Test func hashProducesVerifiablePHCString() throws {
        let encoded = try Argon2id.hash(password: "correct horse battery staple")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"))
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 5)
        #expect(try base64(String(fields[3])).count == Argon2id.saltByteCount)
        #expect(try base64(String(fields[4])).count == Argon2id.tagByteCount)
        #expect(Argon2id.verify(encoded: encoded, password: "correct horse battery staple"))
        #expect(!Argon2id.verify(encoded: encoded, password: "correct horse battery stapl"))
        #expect(!Argon2id.verify(encoded: encoded, password: ""))
        #expect(Argon2id.parameters(of: encoded) == .default)
        #expect(!Argon2id.needsRehash(encoded))
        let again = try Argon2id.hash(password: "correct horse battery staple")
        #expect(again != encoded, "fresh salt per hash")
    }

    @Test func explicitSaltMatchesRawArgon2id() throws {
        let parameters = Argon2id.Parameters(memoryKiB: 256, iterations: 2, parallelism: 1)
        let encoded = try Argon2id.hash(password: Array("password".utf8), parameters: parameters, salt: Array("somesalt".utf8))
        #expect(encoded == "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4")
    }

    @Test func rehashPolicy() throws {
        let weak = try Argon2id.hash(password: Array("pw".utf8), parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))
        #expect(Argon2id.needsRehash(weak))
        #expect(!Argon2id.needsRehash(weak, target: .init(memoryKiB: 1024, iterations: 1, parallelism: 1)))
        #expect(Argon2id.needsRehash("$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
        #expect(Argon2id.needsRehash("$argon2id$m=65536,t=3,p=4$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
        #expect(Argon2id.needsRehash("garbage"))
    }

    @Test func malformedEncodingsReturnFalseWithoutRunning() {
        let valid = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"
        #expect(Argon2id.verify(encoded: valid, password: "password"))
        let malformed = [
            "", "$", "$$$$$", "argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR",
            "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2x$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=18$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=-256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=4294967295,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR_uIPnA4rEsF5h7TKyQwu9U1bMCHGi-4",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4\u{0}trailing",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4 ",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGé/4",
            String(repeating: "$argon2id", count: 200),
        ]
        for encoded in malformed {
            #expect(!Argon2id.verify(encoded: encoded, password: "password"), "\(encoded.prefix(80))")
        }
    }

    @Test func hashRejectsBadParameters() throws {
        for parameters in [
            Argon2id.Parameters(memoryKiB: 4, iterations: 1, parallelism: 1),
            Argon2id.Parameters(memoryKiB: 65536, iterations: 0, parallelism: 1),
            Argon2id.Parameters(memoryKiB: 65536, iterations: 1, parallelism: 0),
            Argon2id.Parameters(memoryKiB: Argon2id.maximumMemoryKiB + 1, iterations: 1, parallelism: 1),
        ] {
            do {
                _ = try Argon2id.hash(password: Array("pw".utf8), parameters: parameters)
                Issue.record("accepted \(parameters)")
            } catch {
                #expect(error.kind == .invalidInput)
            }
        }
        #expect(throws: CryptoError.self) {
            try Argon2.hash(variant: .argon2id, password: [1], salt: Array("somesalt".utf8), memoryKiB: .max, iterations: 1, parallelism: 1)
        }
        do {
            _ = try Argon2.hash(variant: .argon2id, password: [1], salt: [1, 2, 3], memoryKiB: 64, iterations: 1, parallelism: 1)
            Issue.record("accepted a 3-byte salt")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.description.contains("Salt is too short"))
        }
    }
}
