import AuthCrypto
import TestSupport
import Testing

/// X.509 path validation against caller-chosen trust anchors, on real certificates from the shared vectors:
/// python-fido2's Apple attestation (`x5c` = leaf valid 2020-12-28...31, "Apple WebAuthn CA 1") and the W3C
/// WebAuthn test-vector attestation CA (self-signed, 2024...3024).
@Suite struct CertificatePathTests {
    /// 2020-12-29T00:00:00Z, inside the Apple leaf's three-day validity.
    static let insideAppleLeafValidity: Int64 = 1_609_200_000
    /// 2020-01-01T00:00:00Z, before the Apple leaf (and its CA) were issued.
    static let beforeApple: Int64 = 1_577_836_800

    /// The python-fido2 Apple attestation `x5c`: leaf, intermediate.
    func appleChain() throws -> (leaf: X509Certificate, ca: X509Certificate) {
        let cases = try Vectors.cases("webauthn_vectors/python_fido2_attestation_vectors.json")
        let apple = try #require(cases.first { $0["fmt"] as? String == "apple" })
        let statement = try #require(apple["attestation_statement"] as? [String: Any])
        let x5c = try #require(statement["x5c"] as? [[String: Any]])
        let ders = try x5c.map { try hexBytes($0["hex"] as? String ?? "") }
        #expect(ders.count == 2)
        return (try X509Certificate(der: ders[0]), try X509Certificate(der: ders[1]))
    }

    func w3cCA() throws -> X509Certificate {
        let root = try Vectors.load("webauthn_vectors/w3c_webauthn_l3_test_vectors.json")
        return try X509Certificate(der: hexBytes(root["attestation_ca_cert_der_hex"] as? String ?? ""))
    }

    @Test("a path to an anchor validates at a time inside every validity period, and is returned leaf first")
    func validPath() throws {
        let (leaf, ca) = try appleChain()
        #expect(try leaf.validatePath(intermediates: [ca], trustAnchors: [ca], at: Self.insideAppleLeafValidity) == [leaf, ca])
        // The anchor alone is enough: the intermediate list is only a source of candidates.
        #expect(try leaf.validatePath(trustAnchors: [ca], at: Self.insideAppleLeafValidity) == [leaf, ca])
        // An unrelated anchor beside the right one does not matter.
        #expect(try leaf.validatePath(intermediates: [ca], trustAnchors: [try w3cCA(), ca], at: Self.insideAppleLeafValidity) == [leaf, ca])
        // A self-signed anchor validates itself (now: the W3C CA is valid until 3024).
        let w3c = try w3cCA()
        #expect(try w3c.validatePath(trustAnchors: [w3c]) == [w3c])
    }

    @Test("validity periods are checked at the given time, and now by default")
    func validityPeriods() throws {
        let (leaf, ca) = try appleChain()
        do {
            _ = try leaf.validatePath(intermediates: [ca], trustAnchors: [ca])
            Issue.record("an expired certificate validated now")
        } catch {
            #expect(error.reason == .expired && error.depth == 0, "\(error)")
        }
        do {
            _ = try leaf.validatePath(intermediates: [ca], trustAnchors: [ca], at: Self.beforeApple)
            Issue.record("validated before the certificates were issued")
        } catch {
            #expect(error.reason == .notYetValid, "\(error)")
        }
    }

    @Test("no path to the anchors: wrong anchor, missing intermediate, untrusted self-signed certificate")
    func noPath() throws {
        let (leaf, ca) = try appleChain()
        let w3c = try w3cCA()
        for (name, intermediates) in [("with the intermediate", [ca]), ("without it", [])] {
            do {
                _ = try leaf.validatePath(intermediates: intermediates, trustAnchors: [w3c], at: Self.insideAppleLeafValidity)
                Issue.record("\(name): validated to the wrong anchor")
            } catch {
                #expect(error.reason == .noPathToTrustAnchor && error.openSSLCode != 0 && !error.message.isEmpty, "\(name): \(error)")
            }
        }
        do {
            _ = try w3c.validatePath(trustAnchors: [ca], at: Self.insideAppleLeafValidity + 4 * 365 * 86_400)
            Issue.record("an untrusted self-signed certificate validated")
        } catch {
            #expect(error.reason == .noPathToTrustAnchor, "\(error)")
        }
        do {
            _ = try leaf.validatePath(intermediates: [ca], trustAnchors: [])
            Issue.record("validated without anchors")
        } catch {
            #expect(error.reason == .validationNotRun && error.openSSLCode == 0 && error.depth == -1, "\(error)")
        }
    }

    @Test("a leaf whose signature was altered does not validate")
    func badSignature() throws {
        let (leaf, ca) = try appleChain()
        var der = leaf.der
        der[der.count - 1] ^= 0x01 // the last byte of the ECDSA signature's s
        let tampered = try X509Certificate(der: der)
        do {
            _ = try tampered.validatePath(intermediates: [ca], trustAnchors: [ca], at: Self.insideAppleLeafValidity)
            Issue.record("a tampered certificate validated")
        } catch {
            #expect(error.reason == .signatureInvalid && error.depth == 0, "\(error)")
        }
    }
}
