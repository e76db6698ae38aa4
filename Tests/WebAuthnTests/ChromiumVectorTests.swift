import AuthCrypto
import CBOR
import Foundation
import Testing
import TestSupport
import WebAuthn

/// The ceremonies recorded from headless Chromium's virtual authenticator (`../shared/vectors/webauthn_chromium/`):
/// each verifies with its recorded challenge, origin and RP ID, and fails with any of them changed, with one
/// signature byte flipped (assertions, and the `packed` registration; `none` registrations carry no signature),
/// or with a stored sign count at or above the assertion's.
@Suite("Chromium recorded ceremonies")
struct ChromiumVectorTests {
    static let registrations = ["es256-registration", "es256-registration-direct-attestation", "rs256-registration", "eddsa-registration"]
    static let authentications = ["es256-authentication-1", "es256-authentication-2", "es256-authentication-discoverable",
                                  "rs256-authentication", "eddsa-authentication"]

    /// One recorded file.
    struct Recording {
        let json: [String: Any]

        init(_ name: String) throws {
            json = try #require(try Paths.vectorJSON("webauthn_chromium/\(name).json") as? [String: Any])
        }

        var challenge: [UInt8] { Encoding.fromBase64URL(json["challenge_b64url"] as? String ?? "") ?? [] }
        var origin: String { json["origin"] as? String ?? "" }
        var rpId: String { json["rp_id"] as? String ?? "" }
        var credentialJSON: [UInt8] { get throws { Array(try JSONSerialization.data(withJSONObject: json["credential"] ?? [:])) } }
        var expected: [String: Any] { json["py_webauthn_result"] as? [String: Any] ?? [:] }

        func rp(origin: String? = nil, rpId: String? = nil, counterPolicy: RelyingParty.CounterPolicy = .reject) throws -> RelyingParty {
            try RelyingParty(id: rpId ?? self.rpId, allowedOrigins: [origin ?? self.origin], userVerification: .required,
                             counterPolicy: counterPolicy)
        }

        func stored(signCount: UInt32? = nil) throws -> StoredCredential {
            let key = json["public_key"] as? [String: Any] ?? [:]
            let cose = try COSEKey(bytes: try #require(Encoding.fromBase64URL(key["cose_b64url"] as? String ?? "")))
            let credential = json["credential"] as? [String: Any] ?? [:]
            return StoredCredential(
                id: try #require(Encoding.fromBase64URL(credential["rawId"] as? String ?? "")),
                publicKeySPKI: cose.spkiDER, algorithm: cose.algorithm,
                signCount: signCount ?? (json["credential_current_sign_count"] as? NSNumber)?.uint32Value ?? 0,
                userHandle: try #require(Encoding.fromBase64URL(json["user_handle_b64url"] as? String ?? "")))
        }
    }

    @Test("registrations verify and match py_webauthn's result", arguments: registrations)
    func registration(_ name: String) throws {
        let recording = try Recording(name)
        let response = try RegistrationResponseJSON(json: recording.credentialJSON)
        let result = try verifyRegistration(response: response, expectedChallenge: recording.challenge, rp: recording.rp())
        let expected = recording.expected
        #expect(Encoding.base64URL(result.credentialId) == expected["credential_id_b64url"] as? String)
        #expect(result.aaguidString == expected["aaguid"] as? String)
        #expect(result.attestationFormat.rawValue == expected["fmt"] as? String)
        #expect(Int(result.signCount) == expected["sign_count"] as? Int)
        #expect(result.userVerified == expected["user_verified"] as? Bool)
        #expect(result.backupEligible == (expected["credential_device_type"] as? String == "multi_device"))
        #expect(result.backupState == expected["credential_backed_up"] as? Bool)
        #expect(result.transports == ["internal"])
        let key = try #require(expected["public_key"] as? [String: Any])
        #expect(Encoding.base64URL(result.publicKeyCOSE) == key["cose_b64url"] as? String)
        #expect(result.algorithm.rawValue == key["cose_alg"] as? Int)
        #expect(try PublicKey(spkiDER: result.publicKeySPKI).pem == key["spki_pem"] as? String)
        if result.attestationFormat == .packed {
            #expect(result.attestationVerified && result.attestationKind == .basic && result.attestationTrust == .unverified)
            #expect(result.attestationCertificates.count == 1)
        } else {
            #expect(result.attestationVerified && result.attestationKind == .none && result.attestationTrust == .notApplicable)
        }
    }

    @Test("registrations fail with the challenge, origin or RP ID changed, or the attestation signature flipped", arguments: registrations)
    func registrationMutations(_ name: String) throws {
        let recording = try Recording(name)
        let response = try RegistrationResponseJSON(json: recording.credentialJSON)
        var otherChallenge = recording.challenge
        otherChallenge[0] ^= 1
        #expect(throws: WebAuthnError.challengeMismatch) {
            try verifyRegistration(response: response, expectedChallenge: otherChallenge, rp: recording.rp())
        }
        #expect(throws: WebAuthnError.originNotAllowed(recording.origin)) {
            try verifyRegistration(response: response, expectedChallenge: recording.challenge, rp: recording.rp(origin: "http://localhost:8766"))
        }
        #expect(throws: WebAuthnError.rpIdHashMismatch) {
            try verifyRegistration(response: response, expectedChallenge: recording.challenge, rp: recording.rp(rpId: "example.com"))
        }
        let attestation = try CBORDecoder().decode(try #require(Encoding.fromBase64URL(response.response.attestationObject)))
        guard attestation["fmt"]?.text == "packed" else { return }
        var signature = try #require(attestation["attStmt"]?["sig"]?.bytes)
        signature[signature.count / 2] ^= 0x01
        var statement = try #require(attestation["attStmt"]?.entries)
        statement = statement.map { $0.key == "sig" ? (key: $0.key, value: .byteString(signature)) : $0 }
        let entries = try #require(attestation.entries).map { $0.key == "attStmt" ? (key: $0.key, value: CBORValue.map(statement)) : $0 }
        var tampered = response
        tampered.response.attestationObject = Encoding.base64URL(try CBOREncoder().encode(.map(entries)))
        #expect(throws: WebAuthnError.attestationSignatureInvalid) {
            try verifyRegistration(response: tampered, expectedChallenge: recording.challenge, rp: recording.rp())
        }
    }

    @Test("authentications verify and advance the counter", arguments: authentications)
    func authentication(_ name: String) throws {
        let recording = try Recording(name)
        let response = try AuthenticationResponseJSON(json: recording.credentialJSON)
        let result = try verifyAuthentication(response: response, expectedChallenge: recording.challenge, rp: recording.rp(),
                                              credential: recording.stored())
        let expected = recording.expected
        #expect(Int(result.newSignCount) == expected["new_sign_count"] as? Int)
        #expect(result.counterVerdict == .advanced)
        #expect(result.userVerified == expected["user_verified"] as? Bool)
        #expect(result.backupState == expected["credential_backed_up"] as? Bool)
        #expect(Encoding.base64URL(result.credentialId) == expected["credential_id_b64url"] as? String)
        #expect(result.userHandle.map { Encoding.base64URL($0) } == recording.json["user_handle_b64url"] as? String)
    }

    @Test("authentications fail with the challenge, origin or RP ID changed, a flipped signature byte, or a stale counter",
          arguments: authentications)
    func authenticationMutations(_ name: String) throws {
        let recording = try Recording(name)
        let response = try AuthenticationResponseJSON(json: recording.credentialJSON)
        let stored = try recording.stored()
        var otherChallenge = recording.challenge
        otherChallenge[otherChallenge.count - 1] ^= 0x80
        #expect(throws: WebAuthnError.challengeMismatch) {
            try verifyAuthentication(response: response, expectedChallenge: otherChallenge, rp: recording.rp(), credential: stored)
        }
        #expect(throws: WebAuthnError.originNotAllowed(recording.origin)) {
            try verifyAuthentication(response: response, expectedChallenge: recording.challenge, rp: recording.rp(origin: "https://localhost:8765"),
                                     credential: stored)
        }
        #expect(throws: WebAuthnError.rpIdHashMismatch) {
            try verifyAuthentication(response: response, expectedChallenge: recording.challenge, rp: recording.rp(rpId: "localhost.localdomain"),
                                     credential: stored)
        }
        let signature = try #require(Encoding.fromBase64URL(response.response.signature))
        for index in [0, signature.count / 2, signature.count - 1] {
            var tampered = response
            var flipped = signature
            flipped[index] ^= 0x01
            tampered.response.signature = Encoding.base64URL(flipped)
            #expect(throws: WebAuthnError.signatureInvalid) {
                try verifyAuthentication(response: tampered, expectedChallenge: recording.challenge, rp: recording.rp(), credential: stored)
            }
        }
        let newCount = try AuthenticatorData(bytes: try #require(Encoding.fromBase64URL(response.response.authenticatorData))).signCount
        for storedCount in [newCount, newCount + 1, UInt32.max] {
            #expect(throws: WebAuthnError.counterRegressed(old: storedCount, new: newCount)) {
                try verifyAuthentication(response: response, expectedChallenge: recording.challenge, rp: recording.rp(),
                                         credential: recording.stored(signCount: storedCount))
            }
            let warned = try verifyAuthentication(response: response, expectedChallenge: recording.challenge,
                                                  rp: recording.rp(counterPolicy: .warn), credential: recording.stored(signCount: storedCount))
            #expect(warned.counterVerdict == .regressed && warned.newSignCount == newCount)
        }
    }

    @Test("a login verifies against the key this library registered (registration → authentication)")
    func endToEnd() throws {
        for (registration, authentication) in [("es256-registration", "es256-authentication-1"), ("rs256-registration", "rs256-authentication"),
                                               ("eddsa-registration", "eddsa-authentication")] {
            let reg = try Recording(registration)
            let registered = try verifyRegistration(response: try RegistrationResponseJSON(json: reg.credentialJSON),
                                                    expectedChallenge: reg.challenge, rp: reg.rp())
            let auth = try Recording(authentication)
            let stored = StoredCredential(
                id: registered.credentialId, publicKeySPKI: registered.publicKeySPKI, algorithm: registered.algorithm,
                signCount: try auth.stored().signCount, userHandle: try #require(Encoding.fromBase64URL(reg.json["user_handle_b64url"] as? String ?? "")),
                backupEligible: registered.backupEligible)
            let result = try verifyAuthentication(response: try AuthenticationResponseJSON(json: auth.credentialJSON),
                                                  expectedChallenge: auth.challenge, rp: auth.rp(), credential: stored)
            #expect(result.counterVerdict == .advanced)
        }
    }
}
