import AuthCrypto
import Testing

/// FIPS 180-4 example digests of "abc".
@Suite struct HashTests {
    let abc = Array("abc".utf8)

    @Test func sha1() {
        #expect(Encoding.hex(SHA1.hash(abc)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func sha256() {
        #expect(Encoding.hex(SHA256.hash(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(DigestAlgorithm.sha256.hash(abc) == SHA256.hash(abc))
    }

    @Test func sha384() {
        #expect(Encoding.hex(SHA384.hash(abc)) == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
    }

    @Test func sha512() {
        #expect(Encoding.hex(SHA512.hash(abc)) == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    @Test func emptyInputHashesLikeSHA256OfNothing() {
        #expect(Encoding.hex(DigestAlgorithm.sha256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
