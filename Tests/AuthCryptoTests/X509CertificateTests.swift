import AuthCrypto
import TestSupport
import Testing

@Suite struct X509CertificateTests {
    /// The W3C WebAuthn test-vector attestation CA (a self-signed P-256 certificate).
    func w3cCA() throws -> [UInt8] {
        let root = try Vectors.load("webauthn_vectors/w3c_webauthn_l3_test_vectors.json")
        let hex = try #require(root["attestation_ca_cert_der_hex"] as? String)
        return try #require(Encoding.fromHex(hex))
    }

    @Test func readsVersionSubjectExtensionsAndKey() throws {
        let der = try w3cCA()
        let certificate = try X509Certificate(der: der)
        #expect(certificate.der == der)
        #expect(certificate.version == 3)
        #expect(certificate.subjectValues(oid: "2.5.4.3") == ["WebAuthn test vectors"])
        #expect(certificate.subjectValues(oid: "2.5.4.10") == ["W3C"])
        #expect(certificate.subjectValues(oid: "2.5.4.11") == ["Authenticator Attestation CA"])
        #expect(certificate.subjectValues(oid: "2.5.4.6") == ["AA"])
        let constraints = try #require(certificate.extension(oid: "2.5.29.19"))
        #expect(constraints.isCritical)
        #expect(constraints.value.starts(with: [0x30]))
        let key = try certificate.publicKey()
        #expect(key.keyType == .ec && key.curve == .p256)
    }

    @Test func rejectsMalformedInput() throws {
        let der = try w3cCA()
        #expect(throws: CryptoError.self) { try X509Certificate(der: der + [0]) }
        #expect(throws: CryptoError.self) { try X509Certificate(der: Array(der.dropLast())) }
        #expect(throws: CryptoError.self) { try X509Certificate(der: []) }
        #expect(throws: CryptoError.self) { try X509Certificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }
}
