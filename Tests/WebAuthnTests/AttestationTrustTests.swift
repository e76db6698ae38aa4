import AuthCrypto
import Testing
import WebAuthn

/// Packed attestation chains validated against the relying party's trust anchors (``AttestationTrustPolicy``),
/// on the W3C vectors (whose packed certificates are issued by the file's attestation CA) and py_webauthn's
/// YubiKey registration.
@Suite("Attestation trust anchors")
struct AttestationTrustTests {
    static let w3cPackedChains = ["es256", "es384", "es512", "rs256", "eddsa", "ed448"].map { "w3c-packed-\($0)-registration" }

    func vectorCase(_ id: String) throws -> VectorHarness.Case {
        try #require(try VectorHarness.allCases().first { $0.id == id })
    }

    func w3cCA() throws -> X509Certificate {
        let root = try #require(try W3CVectorFile.root())
        return try X509Certificate(der: try #require(Encoding.fromHex(root["attestation_ca_cert_der_hex"] as? String ?? "")))
    }

    func globalSignR2() throws -> X509Certificate {
        try KnownRootCertificates.certificate(placeholder: "<GlobalSign Root CA - R2 PEM: webauthn.helpers.known_root_certs.globalsign_r2>")
    }

    @Test("a chain to the configured anchor is trusted; without anchors it is unverified", arguments: w3cPackedChains)
    func w3cChains(_ id: String) throws {
        let testCase = try vectorCase(id)
        let anchored = try AttestationTrustPolicy(anchors: [.packed: [try w3cCA()]])
        guard case let .registered(trusted) = try VectorHarness.run(testCase, trustOverride: anchored) else { Issue.record("\(id)"); return }
        #expect(trusted.attestationTrust == .trusted && trusted.attestationKind == .basic && !trusted.attestationCertificates.isEmpty)
        guard case let .registered(plain) = try VectorHarness.run(testCase, trustOverride: .noAnchors) else { Issue.record("\(id)"); return }
        #expect(plain.attestationTrust == .unverified && plain.credentialId == trusted.credentialId)
    }

    @Test("a chain that does not lead to the anchors, or is outside its validity at the validation time, is refused",
          arguments: w3cPackedChains)
    func w3cRefusals(_ id: String) throws {
        let testCase = try vectorCase(id)
        let wrongRoot = try AttestationTrustPolicy(anchors: [.packed: [try globalSignR2()]])
        guard case let .attestationChainUntrusted(noPath)? = try VectorHarness.run(testCase, trustOverride: wrongRoot).error else {
            Issue.record("\(id) registered under a foreign root"); return
        }
        #expect(noPath.reason == .noPathToTrustAnchor && noPath.depth == 0)
        // 2023-01-01T00:00:00Z: before the W3C CA and its certificates (2024...3024) were valid.
        let early = try AttestationTrustPolicy(anchors: [.packed: [try w3cCA()]], validationTime: .fixed(secondsSince1970: 1_672_531_200))
        guard case let .attestationChainUntrusted(notYet)? = try VectorHarness.run(testCase, trustOverride: early).error else {
            Issue.record("\(id) registered before its certificates were valid"); return
        }
        #expect(notYet.reason == .notYetValid)
        #expect(WebAuthnError.attestationChainUntrusted(notYet).code == "attestation_chain_untrusted")
        // Another anchor beside the right one does not matter.
        let both = try AttestationTrustPolicy(anchors: [.packed: [try globalSignR2(), try w3cCA()]])
        #expect(try VectorHarness.run(testCase, trustOverride: both).succeeded)
    }

    @Test("py_webauthn's YubiKey registration: unverified without anchors, refused with GlobalSign R2 as the packed root")
    func yubiKey() throws {
        let plain = try vectorCase("py_webauthn-reg_packed-verify_attestation_from_yubikey_firefox")
        guard case let .registered(result) = try VectorHarness.run(plain) else { Issue.record("did not register"); return }
        #expect(result.attestationTrust == .unverified)
        let rooted = try vectorCase("py_webauthn-reg-raises_when_root_cert_invalid_for_response")
        #expect(try VectorHarness.attestationTrust(rooted).anchors(for: .packed) == [try globalSignR2()])
        guard case let .attestationChainUntrusted(error)? = try VectorHarness.run(rooted).error else { Issue.record("registered"); return }
        #expect(error.reason == .noPathToTrustAnchor)
    }

    @Test("self attestation has no chain: anchors do not apply")
    func selfAttestation() throws {
        let testCase = try vectorCase("w3c-packed-self-es256-registration")
        let anchored = try AttestationTrustPolicy(anchors: [.packed: [try w3cCA()]])
        guard case let .registered(result) = try VectorHarness.run(testCase, trustOverride: anchored) else { Issue.record("refused"); return }
        #expect(result.attestationKind == .self && result.attestationTrust == .notApplicable)
    }

    @Test("anchors can only be configured for packed, and not as an empty list")
    func configuration() throws {
        let ca = try w3cCA()
        for format in AttestationFormat.allCases where format != .packed {
            #expect(throws: WebAuthnError.self, "\(format)") { try AttestationTrustPolicy(anchors: [format: [ca]]) }
        }
        #expect(throws: WebAuthnError.invalidConfiguration("the trust anchor list for 'packed' is empty")) {
            try AttestationTrustPolicy(anchors: [.packed: []])
        }
        #expect(AttestationTrustPolicy.noAnchors.anchors.isEmpty && AttestationTrustPolicy.noAnchors.validationTime == .verificationTime)
        let rp = try RelyingParty(id: "example.org", allowedOrigins: ["https://example.org"])
        #expect(rp.attestationTrust.anchors(for: .packed) == nil)
    }
}

/// The chain's validity is judged at the verifier's injected time (the server's clock), not the system clock.
@Suite("Attestation validity at the injected clock")
struct AttestationClockTests {
    @Test("with validation at verification time, the time passed in decides: before, inside, after validity",
          arguments: AttestationTrustTests.w3cPackedChains)
    func injectedTime(_ id: String) throws {
        let trustTests = AttestationTrustTests()
        let testCase = try trustTests.vectorCase(id)
        let anchored = try AttestationTrustPolicy(anchors: [.packed: [try trustTests.w3cCA()]], validationTime: .verificationTime)
        // 2026-12-07: inside the certificates' validity (2024...3024).
        guard case let .registered(trusted) = try VectorHarness.run(testCase, trustOverride: anchored, verificationTime: 1_796_601_600) else {
            Issue.record("\(id) did not register inside its validity"); return
        }
        #expect(trusted.attestationTrust == .trusted)
        // 2023-01-01, on a clock that says so (the system clock says otherwise): not yet valid.
        guard case let .attestationChainUntrusted(early)? = try VectorHarness.run(testCase, trustOverride: anchored, verificationTime: 1_672_531_200).error else {
            Issue.record("\(id) registered at a time before its certificates were valid"); return
        }
        #expect(early.reason == .notYetValid)
        // 3100-01-01: expired.
        guard case let .attestationChainUntrusted(late)? = try VectorHarness.run(testCase, trustOverride: anchored, verificationTime: 35_659_353_600).error else {
            Issue.record("\(id) registered at a time after its certificates expired"); return
        }
        #expect(late.reason == .expired)
    }
}
