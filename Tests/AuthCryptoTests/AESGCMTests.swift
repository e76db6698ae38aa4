import AuthCrypto
import Testing

@Suite struct AESGCMTests {
    let key = SecureRandom.bytes(32)
    let plaintext = Array("attack at dawn, bring snacks".utf8)
    let aad = Array("user:42|v1".utf8)

    /// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13, 14 and 16 (AES-256).
    @Test func specKnownAnswers() throws {
        let zeroKey = [UInt8](repeating: 0, count: 32), zeroNonce = [UInt8](repeating: 0, count: 12)
        let case13 = try AESGCM.seal([], key: zeroKey, nonce: zeroNonce)
        #expect(case13.ciphertext.isEmpty)
        #expect(Encoding.hex(case13.tag) == "530f8afbc74536b9a963b4f1c4cb738b")
        let case14 = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: zeroKey, nonce: zeroNonce)
        #expect(Encoding.hex(case14.ciphertext) == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(Encoding.hex(case14.tag) == "d0d1c8a799996bf0265b98b5d48ab919")
        let key16 = try #require(Encoding.fromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"))
        let nonce16 = try #require(Encoding.fromHex("cafebabefacedbaddecaf888"))
        let plain16 = try #require(Encoding.fromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"))
        let aad16 = try #require(Encoding.fromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2"))
        let case16 = try AESGCM.seal(plain16, key: key16, nonce: nonce16, authenticating: aad16)
        #expect(Encoding.hex(case16.ciphertext) == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
        #expect(Encoding.hex(case16.tag) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AESGCM.open(case16, key: key16, authenticating: aad16) == plain16)
    }

    @Test func roundTripWithRandomNonces() throws {
        let first = try AESGCM.seal(plaintext, key: key, authenticating: aad)
        let second = try AESGCM.seal(plaintext, key: key, authenticating: aad)
        #expect(first.nonce.count == 12 && first.tag.count == 16 && first.ciphertext.count == plaintext.count)
        #expect(first.nonce != second.nonce)
        #expect(first.ciphertext != plaintext)
        #expect(try AESGCM.open(first, key: key, authenticating: aad) == plaintext)
        #expect(try AESGCM.open(second, key: key, authenticating: aad) == plaintext)
    }

    @Test func combinedFormat() throws {
        let box = try AESGCM.seal(plaintext, key: key, authenticating: aad)
        let combined = box.combined
        #expect(combined.count == 12 + plaintext.count + 16)
        #expect(Array(combined.prefix(12)) == box.nonce && Array(combined.suffix(16)) == box.tag)
        let parsed = try AESGCM.SealedBox(combined: combined)
        #expect(parsed == box)
        #expect(try AESGCM.open(parsed, key: key, authenticating: aad) == plaintext)
        let empty = try AESGCM.seal([], key: key)
        #expect(try AESGCM.open(AESGCM.SealedBox(combined: empty.combined), key: key) == [])
        #expect(throws: CryptoError.self) { try AESGCM.SealedBox(combined: [UInt8](repeating: 0, count: 27)) }
    }

    @Test func everyTamperIsAnAuthenticationFailure() throws {
        let box = try AESGCM.seal(plaintext, key: key, authenticating: aad)
        var tampered: [(String, AESGCM.SealedBox, [UInt8], [UInt8])] = []
        for index in box.ciphertext.indices {
            var bytes = box.ciphertext
            bytes[index] ^= 0x80
            tampered.append(("ciphertext[\(index)]", AESGCM.SealedBox(nonce: box.nonce, ciphertext: bytes, tag: box.tag), key, aad))
        }
        for index in box.tag.indices {
            var bytes = box.tag
            bytes[index] ^= 0x01
            tampered.append(("tag[\(index)]", AESGCM.SealedBox(nonce: box.nonce, ciphertext: box.ciphertext, tag: bytes), key, aad))
        }
        var nonce = box.nonce
        nonce[0] ^= 1
        tampered.append(("nonce", AESGCM.SealedBox(nonce: nonce, ciphertext: box.ciphertext, tag: box.tag), key, aad))
        tampered.append(("truncated ciphertext", AESGCM.SealedBox(nonce: box.nonce, ciphertext: Array(box.ciphertext.dropLast()), tag: box.tag), key, aad))
        tampered.append(("aad changed", box, key, Array("user:43|v1".utf8)))
        tampered.append(("aad dropped", box, key, []))
        tampered.append(("other key", box, SecureRandom.bytes(32), aad))
        for (name, candidate, candidateKey, candidateAAD) in tampered {
            do {
                _ = try AESGCM.open(candidate, key: candidateKey, authenticating: candidateAAD)
                Issue.record("tampered box opened: \(name)")
            } catch {
                #expect(error.kind == .authenticationFailed, "\(name): \(error)")
            }
        }
    }

    @Test func badSizesAreInvalidInput() throws {
        for badKey in [[UInt8](repeating: 1, count: 16), [UInt8](repeating: 1, count: 31), []] {
            #expect(throws: CryptoError.self) { try AESGCM.seal(plaintext, key: badKey) }
        }
        do {
            _ = try AESGCM.seal(plaintext, key: key, nonce: [UInt8](repeating: 0, count: 16))
            Issue.record("16-byte nonce accepted")
        } catch {
            #expect(error.kind == .invalidInput)
        }
        let box = try AESGCM.seal(plaintext, key: key)
        do {
            _ = try AESGCM.open(AESGCM.SealedBox(nonce: box.nonce, ciphertext: box.ciphertext, tag: Array(box.tag.prefix(12))), key: key)
            Issue.record("short tag accepted")
        } catch {
            #expect(error.kind == .invalidInput)
        }
    }
}
