import AuthCrypto
import CBOR
import Testing
import WebAuthn

/// RS1 (RSASSA-PKCS1-v1_5 with SHA-1, COSE -65535) is verified only when a relying party lists it explicitly.
@Suite("RS1 policy")
struct RS1PolicyTests {
    static let sha1Cases = ["simplewebauthn-reg-should_validate_tpm_rsa_response_sha1", "simplewebauthn-att_tpm-should_verify_sha1_tpm_response"]

    func vectorCase(_ id: String) throws -> VectorHarness.Case {
        try #require(try VectorHarness.allCases().first { $0.id == id })
    }

    @Test("a TPM credential with an RS1 key registers only under a configuration that lists RS1", arguments: sha1Cases)
    func registration(_ id: String) throws {
        let testCase = try vectorCase(id)
        // The harness's mapping: SimpleWebAuthn accepts RS1 by default, so the case lists it and registers.
        #expect(VectorHarness.allowedAlgorithms(testCase).contains(.rs1))
        guard case let .registered(result) = try VectorHarness.run(testCase) else { Issue.record("\(id) did not register"); return }
        #expect(result.algorithm == .rs1 && result.attestationFormat == .tpm)
        // authd's default (ES256, EdDSA, RS256) and every list without RS1 refuse it.
        #expect(try VectorHarness.run(testCase, algorithmsOverride: COSEAlgorithm.defaultAllowed).error == .algorithmNotAllowed(-65535))
        let everythingButRS1 = COSEAlgorithm.allCases.filter { $0 != .rs1 }
        #expect(try VectorHarness.run(testCase, algorithmsOverride: everythingButRS1).error == .algorithmNotAllowed(-65535))
        #expect(try VectorHarness.run(testCase, algorithmsOverride: [.rs1]).succeeded)
    }

    @Test("an assertion from a stored RS1 credential is refused unless the relying party lists RS1")
    func authentication() throws {
        let testCase = try vectorCase(Self.sha1Cases[0])
        guard case let .registered(result) = try VectorHarness.run(testCase) else { Issue.record("did not register"); return }
        let stored = StoredCredential(id: result.credentialId, publicKeySPKI: result.publicKeySPKI, algorithm: .rs1, signCount: 0, userHandle: [1])
        let device = try SoftAuthenticator(algorithm: .rs256, rpId: "dev.dontneeda.pw", origin: "https://dev.dontneeda.pw")
        let challenge = SecureRandom.bytes(32)
        let authData = try device.authenticatorData(flags: 0x01, signCount: 1, attested: false)
        let response = try device.assertion(authData: authData, clientData: device.clientData(type: "webauthn.get", challenge: challenge),
                                            credentialId: result.credentialId)
        #expect(throws: WebAuthnError.algorithmNotAllowed(-65535)) {
            try verifyAuthentication(response: response, expectedChallenge: challenge, rp: device.relyingParty(), credential: stored)
        }
        // Listed, the policy check passes and the signature is checked (the soft authenticator holds another key).
        #expect(throws: WebAuthnError.signatureInvalid) {
            try verifyAuthentication(response: response, expectedChallenge: challenge, rp: device.relyingParty(algorithms: [.es256, .rs1]),
                                     credential: stored)
        }
    }

    @Test("RS1 verifies real SHA-1 signatures: the TPM attestation signature over certInfo", arguments: sha1Cases)
    func realSignature(_ id: String) throws {
        let testCase = try vectorCase(id)
        let credential = try #require(testCase.json["credential"] as? [String: Any])
        let response = try #require(credential["response"] as? [String: Any])
        let attestation = try CBORDecoder().decode(try #require(Encoding.fromBase64URL(response["attestationObject"] as? String ?? "")))
        let statement = try #require(attestation["attStmt"])
        #expect(statement["alg"]?.int == COSEAlgorithm.rs1.rawValue)
        let signature = try #require(statement["sig"]?.bytes)
        let certInfo = try #require(statement["certInfo"]?.bytes)
        let leaf = try X509Certificate(der: try #require(statement["x5c"]?.items?.first?.bytes))
        let key = try leaf.publicKey()
        let algorithm = COSEAlgorithm.rs1.signatureAlgorithm
        #expect(algorithm == .rs1 && algorithm.digest == .sha1)
        #expect(try key.verify(signature, for: certInfo, algorithm: algorithm))
        #expect(try !key.verify(signature, for: certInfo, algorithm: .rs256))
        #expect(try !key.verify(signature, for: certInfo + [0], algorithm: algorithm))
    }

    @Test("a packed statement signed with RS1 is refused even when RS1 is allowed")
    func packedRS1() throws {
        let device = try SoftAuthenticator()
        let challenge = SecureRandom.bytes(32)
        let authData = try device.authenticatorData(flags: 0x01, signCount: 0, attested: true)
        let clientData = device.clientData(type: "webauthn.create", challenge: challenge)
        let signature = try device.sign(authData + SHA256.hash(clientData))
        let response = try device.registration(challenge: challenge, authData: authData, clientData: clientData, format: "packed",
                                               statement: ["alg": -65535, "sig": .byteString(signature)])
        #expect(throws: WebAuthnError.unsupportedAlgorithm(-65535)) {
            try verifyRegistration(response: response, expectedChallenge: challenge, rp: device.relyingParty(algorithms: [.es256, .rs1]))
        }
    }
}
