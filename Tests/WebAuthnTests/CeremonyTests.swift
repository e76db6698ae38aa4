import AuthCrypto
import CBOR
import Foundation
import Testing
import WebAuthn

/// Unit tests with a software authenticator: each test breaks exactly one thing in an otherwise valid,
/// freshly signed ceremony.
@Suite("Ceremony checks")
struct CeremonyTests {
    let challenge: [UInt8] = Array((0..<32).map { UInt8($0) })
    let up: UInt8 = 0x01, uv: UInt8 = 0x04, be: UInt8 = 0x08, bs: UInt8 = 0x10

    // MARK: Registration

    @Test("a none registration verifies and reports what to store")
    func registrationVerifies() throws {
        let device = try SoftAuthenticator()
        let authData = try device.authenticatorData(flags: up | uv | be | bs, signCount: 0, attested: true)
        let result = try verifyRegistration(response: device.registration(challenge: challenge, authData: authData),
                                            expectedChallenge: challenge, rp: device.relyingParty())
        #expect(result.credentialId == device.credentialId)
        #expect(result.publicKeySPKI == device.key.publicKey.spkiDER)
        #expect(result.algorithm == .es256 && result.signCount == 0)
        #expect(result.aaguid == [UInt8](repeating: 0xAA, count: 16))
        #expect(result.aaguidString == "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa")
        #expect(result.userVerified && result.backupEligible && result.backupState)
        #expect(result.attestationFormat == .none && result.attestationVerified && result.attestationTrust == .notApplicable)
        #expect(result.transports == ["internal"])
    }

    @Test("Ed25519 and RS256 credentials register and authenticate", arguments: [SignatureAlgorithm.eddsa, .rs256])
    func otherAlgorithms(_ algorithm: SignatureAlgorithm) throws {
        let device = try SoftAuthenticator(algorithm: algorithm)
        let registered = try verifyRegistration(
            response: device.registration(challenge: challenge, authData: device.authenticatorData(flags: up, signCount: 0, attested: true)),
            expectedChallenge: challenge, rp: device.relyingParty())
        #expect(registered.algorithm == device.coseAlgorithm)
        let authData = try device.authenticatorData(flags: up, signCount: 0, attested: false)
        let response = try device.assertion(authData: authData, clientData: device.clientData(type: "webauthn.get", challenge: challenge))
        let result = try verifyAuthentication(response: response, expectedChallenge: challenge, rp: device.relyingParty(), credential: device.stored())
        #expect(result.counterVerdict == .zero)
    }

    @Test("registration rejects a wrong ceremony type, challenge, origin, RP ID, missing UP/UV/AT")
    func registrationRejections() throws {
        let device = try SoftAuthenticator()
        let rp = try device.relyingParty()
        let good = try device.authenticatorData(flags: up, signCount: 0, attested: true)
        func check(_ expected: WebAuthnError, _ response: RegistrationResponseJSON, rp: RelyingParty? = nil,
                   challenge: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(throws: expected, sourceLocation: sourceLocation) {
                try verifyRegistration(response: response, expectedChallenge: challenge ?? self.challenge, rp: rp ?? (try device.relyingParty()))
            }
        }
        try check(.wrongCeremonyType(expected: "webauthn.create", actual: "webauthn.get"),
                  device.registration(challenge: challenge, authData: good, clientData: device.clientData(type: "webauthn.get", challenge: challenge)))
        try check(.challengeMismatch, device.registration(challenge: challenge, authData: good), challenge: Array(challenge.reversed()))
        try check(.originNotAllowed("https://evil.example"), device.registration(
            challenge: challenge, authData: good, clientData: device.clientData(type: "webauthn.create", challenge: challenge, origin: "https://evil.example")))
        try check(.rpIdHashMismatch, device.registration(challenge: challenge, authData: device.authenticatorData(
            flags: up, signCount: 0, attested: true, rpId: "evil.example")))
        try check(.userNotPresent, device.registration(challenge: challenge, authData: device.authenticatorData(flags: uv, signCount: 0, attested: true)))
        try check(.userVerificationRequired, device.registration(challenge: challenge, authData: good),
                  rp: device.relyingParty(userVerification: .required))
        try check(.missingAttestedCredentialData, device.registration(challenge: challenge, authData: device.authenticatorData(
            flags: up, signCount: 0, attested: false)))
        try check(.algorithmNotAllowed(-7), device.registration(challenge: challenge, authData: good), rp: device.relyingParty(algorithms: [.eddsa]))
        _ = rp
        // The stored ID is the authenticator's, whatever the client-supplied id/rawId copies say.
        var placeholder = try device.registration(challenge: challenge, authData: good)
        placeholder.id = "aaa"
        placeholder.rawId = "bbb"
        #expect(try verifyRegistration(response: placeholder, expectedChallenge: challenge, rp: device.relyingParty()).credentialId
            == device.credentialId)
    }

    @Test("duplicate CBOR map keys in the attestation object are rejected")
    func duplicateKeys() throws {
        let device = try SoftAuthenticator()
        let authData = try device.authenticatorData(flags: up, signCount: 0, attested: true)
        // Map of 4 pairs: fmt "none", attStmt {}, authData h'..', fmt "none" again.
        var attestation: [UInt8] = [0xA4]
        attestation += try CBOREncoder().encode("fmt") + CBOREncoder().encode("none")
        attestation += try CBOREncoder().encode("attStmt") + CBOREncoder().encode([:])
        attestation += try CBOREncoder().encode("authData") + CBOREncoder().encode(.byteString(authData))
        attestation += try CBOREncoder().encode("fmt") + CBOREncoder().encode("none")
        let response = device.registration(clientData: device.clientData(type: "webauthn.create", challenge: challenge), attestationObject: attestation)
        #expect {
            try verifyRegistration(response: response, expectedChallenge: challenge, rp: device.relyingParty())
        } throws: { error in
            guard case let .badCBOR(reason) = error as? WebAuthnError else { return false }
            return reason.contains("duplicateMapKey")
        }
    }

    @Test("attestation object shape: extra members, wrong types, trailing bytes, unknown fmt, non-empty none statement")
    func attestationObjectShape() throws {
        let device = try SoftAuthenticator()
        let authData = try device.authenticatorData(flags: up, signCount: 0, attested: true)
        let clientData = device.clientData(type: "webauthn.create", challenge: challenge)
        let rp = try device.relyingParty()
        func attempt(_ attestation: [UInt8]) throws -> WebAuthnError? {
            do throws(WebAuthnError) {
                _ = try verifyRegistration(response: device.registration(clientData: clientData, attestationObject: attestation),
                                           expectedChallenge: challenge, rp: rp)
                return nil
            } catch {
                return error
            }
        }
        let valid = try CBOREncoder().encode(["fmt": "none", "attStmt": [:], "authData": .byteString(authData)])
        #expect(try attempt(valid) == nil)
        if case .badCBOR = try attempt(valid + [0x00]) {} else { Issue.record("trailing bytes after the attestation object") }
        if case .badCBOR = try attempt([]) {} else { Issue.record("empty attestation object") }
        #expect(try attempt(CBOREncoder().encode(["fmt": "none", "attStmt": [:], "authData": .byteString(authData), "x": 1]))
            == .invalidAttestationObject("unexpected member"))
        #expect(try attempt(CBOREncoder().encode(["fmt": "none", "attStmt": [:], "authData": "text"]))
            == .invalidAttestationObject("missing byte-string 'authData'"))
        #expect(try attempt(CBOREncoder().encode(["fmt": "not-real", "attStmt": [:], "authData": .byteString(authData)]))
            == .unsupportedAttestationFormat("not-real"))
        #expect(try attempt(CBOREncoder().encode(["fmt": "none", "attStmt": ["sig": .byteString([1])], "authData": .byteString(authData)]))
            == .invalidAttestationStatement("'none' attestation must have an empty attStmt"))
        // Accepted-as-none formats register, reporting the statement as unverified.
        let tpm = try verifyRegistration(
            response: device.registration(clientData: clientData, attestationObject: CBOREncoder().encode(
                ["fmt": "tpm", "attStmt": ["ver": "2.0"], "authData": .byteString(authData)])),
            expectedChallenge: challenge, rp: device.relyingParty())
        #expect(tpm.attestationFormat == .tpm && !tpm.attestationVerified && tpm.attestationKind == .unverified && tpm.attestationTrust == .unverified)
    }

    @Test("packed self attestation: valid, wrong alg, bad signature, unknown member")
    func packedSelf() throws {
        let device = try SoftAuthenticator()
        let authData = try device.authenticatorData(flags: up, signCount: 0, attested: true)
        let clientData = device.clientData(type: "webauthn.create", challenge: challenge)
        let signature = try device.sign(authData + SHA256.hash(clientData))
        func register(_ statement: CBORValue) throws -> VerifiedRegistration {
            try verifyRegistration(response: device.registration(challenge: challenge, authData: authData, clientData: clientData,
                                                                 format: "packed", statement: statement),
                                   expectedChallenge: challenge, rp: device.relyingParty())
        }
        let result = try register(["alg": -7, "sig": .byteString(signature)])
        #expect(result.attestationFormat == .packed && result.attestationVerified && result.attestationKind == .self)
        #expect(result.attestationTrust == .notApplicable)
        #expect(throws: WebAuthnError.invalidAttestationStatement("self attestation 'alg' -257 differs from the credential key's")) {
            try register(["alg": -257, "sig": .byteString(signature)])
        }
        var bad = signature
        bad[bad.count - 1] ^= 1
        #expect(throws: WebAuthnError.attestationSignatureInvalid) { try register(["alg": -7, "sig": .byteString(bad)]) }
        #expect(throws: WebAuthnError.invalidAttestationStatement("packed attStmt has an unexpected member")) {
            try register(["alg": -7, "sig": .byteString(signature), "ecdaaKeyId": .byteString([1])])
        }
        #expect(throws: WebAuthnError.unsupportedAlgorithm(-65535)) { try register(["alg": -65535, "sig": .byteString(signature)]) }
    }

    @Test("packed x5c: a correctly signed statement from a certificate that breaks §8.2.1 is refused")
    func packedCertificateRules() throws {
        // The W3C vectors publish their attestation CA and its P-256 private key; a CA certificate must not
        // serve as the attestation certificate (its OU is also not "Authenticator Attestation").
        let root = try #require(try W3CVectorFile.root())
        let caHex = try #require(root["attestation_ca_cert_der_hex"] as? String)
        let keyHex = try #require(root["attestation_ca_key_hex"] as? String)
        let caDER = try #require(Encoding.fromHex(caHex))
        let scalar = try #require(Encoding.fromHex(keyHex))
        let pkcs8: [UInt8] = [0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
                              0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01,
                              0x04, 0x20] + scalar
        let base64 = Data(pkcs8).base64EncodedString()
        let caKey = try SigningKey(pkcs8PEM: "-----BEGIN PRIVATE KEY-----\n\(base64)\n-----END PRIVATE KEY-----\n")
        let device = try SoftAuthenticator()
        let authData = try device.authenticatorData(flags: up, signCount: 0, attested: true)
        let clientData = device.clientData(type: "webauthn.create", challenge: challenge)
        let signature = try caKey.signDER(authData + SHA256.hash(clientData))
        let response = try device.registration(challenge: challenge, authData: authData, clientData: clientData, format: "packed",
                                               statement: ["alg": -7, "sig": .byteString(signature), "x5c": [.byteString(caDER)]])
        #expect(throws: WebAuthnError.invalidAttestationStatement("attestation certificate subject OU is not 'Authenticator Attestation'")) {
            try verifyRegistration(response: response, expectedChallenge: challenge, rp: device.relyingParty())
        }
        let wrongKey = try device.registration(challenge: challenge, authData: authData, clientData: clientData, format: "packed",
                                               statement: ["alg": -7, "sig": .byteString(try device.sign(authData + SHA256.hash(clientData))),
                                                           "x5c": [.byteString(caDER)]])
        #expect(throws: WebAuthnError.attestationSignatureInvalid) {
            try verifyRegistration(response: wrongKey, expectedChallenge: challenge, rp: device.relyingParty())
        }
        let notACertificate = try device.registration(challenge: challenge, authData: authData, clientData: clientData, format: "packed",
                                                      statement: ["alg": -7, "sig": .byteString(signature), "x5c": [.byteString([0x30, 0x00])]])
        #expect(throws: WebAuthnError.invalidAttestationStatement("'x5c' certificate does not parse: X.509 certificate DER did not parse")) {
            try verifyRegistration(response: notACertificate, expectedChallenge: challenge, rp: device.relyingParty())
        }
    }

    @Test("registration authenticator data: trailing bytes, BS without BE, credential ID length, extensions")
    func registrationAuthenticatorData() throws {
        let device = try SoftAuthenticator()
        func register(_ authData: [UInt8], credentialId: [UInt8]? = nil) throws -> VerifiedRegistration {
            var response = try device.registration(challenge: challenge, authData: authData)
            if let credentialId {
                response.id = Encoding.base64URL(credentialId)
                response.rawId = response.id
            }
            return try verifyRegistration(response: response, expectedChallenge: challenge, rp: device.relyingParty())
        }
        let good = try device.authenticatorData(flags: up, signCount: 0, attested: true)
        #expect(throws: WebAuthnError.invalidAuthenticatorData("1 trailing bytes after byte \(good.count)")) { try register(good + [0]) }
        #expect(throws: WebAuthnError.backupStateWithoutEligibility) {
            try register(device.authenticatorData(flags: up | bs, signCount: 0, attested: true))
        }
        let longest = [UInt8](repeating: 7, count: 1023)
        #expect(try register(device.authenticatorData(flags: up, signCount: 0, attested: true, credentialId: longest), credentialId: longest)
            .credentialId == longest)
        let tooLong = [UInt8](repeating: 7, count: 1024)
        #expect(throws: WebAuthnError.credentialIdLength(1024)) {
            try register(device.authenticatorData(flags: up, signCount: 0, attested: true, credentialId: tooLong), credentialId: tooLong)
        }
        let withExtensions = try register(device.authenticatorData(flags: up, signCount: 0, attested: true, extensions: ["credProtect": 2]))
        #expect(withExtensions.authenticatorExtensions == ["credProtect": 2])
        #expect(throws: WebAuthnError.invalidAuthenticatorData("extension data is not a CBOR map")) {
            try register(device.authenticatorData(flags: up, signCount: 0, attested: true, extensions: 5))
        }
        var truncated = good
        truncated.removeLast(3)
        #expect {
            try register(truncated)
        } throws: { error in
            if case .badCBOR = error as? WebAuthnError { return true }
            return false
        }
    }

    // MARK: Authentication

    func assertion(_ device: SoftAuthenticator, flags: UInt8? = nil, signCount: UInt32 = 5, origin: String? = nil,
                   type: String = "webauthn.get", extra: String = "", userHandle: [UInt8]? = nil) throws -> AuthenticationResponseJSON {
        try device.assertion(authData: device.authenticatorData(flags: flags ?? up, signCount: signCount, attested: false),
                             clientData: device.clientData(type: type, challenge: challenge, origin: origin, extra: extra),
                             userHandle: userHandle)
    }

    func authenticate(_ device: SoftAuthenticator, _ response: AuthenticationResponseJSON, rp: RelyingParty? = nil,
                      stored: StoredCredential? = nil, challenge: [UInt8]? = nil) throws -> VerifiedAuthentication {
        try verifyAuthentication(response: response, expectedChallenge: challenge ?? self.challenge, rp: rp ?? device.relyingParty(),
                                 credential: stored ?? device.stored(signCount: 4))
    }

    @Test("an assertion verifies; counters advance")
    func assertionVerifies() throws {
        let device = try SoftAuthenticator()
        let result = try authenticate(device, assertion(device, flags: up | uv | be, userHandle: device.userHandle))
        #expect(result.credentialId == device.credentialId && result.newSignCount == 5 && result.counterVerdict == .advanced)
        #expect(result.userVerified && result.backupEligible && !result.backupState && result.userHandle == device.userHandle)
    }

    @Test("tampered signature, wrong origin, wrong RP ID, challenge mismatch")
    func assertionTampering() throws {
        let device = try SoftAuthenticator()
        var tampered = try assertion(device)
        var signature = try #require(Encoding.fromBase64URL(tampered.response.signature))
        signature[10] ^= 0x40
        tampered.response.signature = Encoding.base64URL(signature)
        #expect(throws: WebAuthnError.signatureInvalid) { try authenticate(device, tampered) }

        var otherClientData = try assertion(device)
        otherClientData.response.clientDataJSON = Encoding.base64URL(device.clientData(type: "webauthn.get", challenge: challenge, extra: ",\"x\":1"))
        #expect(throws: WebAuthnError.signatureInvalid) { try authenticate(device, otherClientData) }

        #expect(throws: WebAuthnError.originNotAllowed("https://example.com.evil")) {
            try authenticate(device, assertion(device, origin: "https://example.com.evil"))
        }
        #expect(throws: WebAuthnError.originNotAllowed("https://Example.com")) {
            try authenticate(device, assertion(device, origin: "https://Example.com"))
        }
        let otherRP = try RelyingParty(id: "other.example", allowedOrigins: [device.origin])
        #expect(throws: WebAuthnError.rpIdHashMismatch) { try authenticate(device, assertion(device), rp: otherRP) }
        #expect(throws: WebAuthnError.challengeMismatch) { try authenticate(device, assertion(device), challenge: Array(challenge.dropLast())) }
        #expect(throws: WebAuthnError.challengeMismatch) { try authenticate(device, assertion(device), challenge: []) }
        #expect(throws: WebAuthnError.wrongCeremonyType(expected: "webauthn.get", actual: "webauthn.create")) {
            try authenticate(device, assertion(device, type: "webauthn.create"))
        }
    }

    @Test("foreign credential ID and user handle mismatch")
    func identity() throws {
        let device = try SoftAuthenticator()
        var foreign = device.stored(signCount: 4)
        foreign.id = Array(repeating: 9, count: 32)
        #expect(throws: WebAuthnError.credentialIdMismatch) { try authenticate(device, assertion(device), stored: foreign) }
        var inconsistent = try assertion(device)
        inconsistent.id = Encoding.base64URL([1, 2, 3])
        #expect(throws: WebAuthnError.credentialIdInconsistent) { try authenticate(device, inconsistent) }
        #expect(throws: WebAuthnError.userHandleMismatch) {
            try authenticate(device, assertion(device, userHandle: Array("user-9999".utf8)))
        }
        #expect(throws: WebAuthnError.userHandleMismatch) { try authenticate(device, assertion(device, userHandle: [])) }
        #expect(try authenticate(device, assertion(device)).userHandle == nil)
        var wrongType = try assertion(device)
        wrongType.type = "password"
        #expect(throws: WebAuthnError.wrongCredentialType("password")) { try authenticate(device, wrongType) }
        var badBase64 = try assertion(device)
        badBase64.response.signature += "="
        #expect(throws: WebAuthnError.invalidBase64URL(field: "response.signature")) { try authenticate(device, badBase64) }
    }

    @Test("counter rule: advanced, both zero, regression under reject and warn")
    func counters() throws {
        let device = try SoftAuthenticator()
        let warn = try device.relyingParty(counterPolicy: .warn)
        #expect(try authenticate(device, assertion(device, signCount: 5), stored: device.stored(signCount: 4)).counterVerdict == .advanced)
        #expect(try authenticate(device, assertion(device, signCount: 1), stored: device.stored(signCount: 0)).counterVerdict == .advanced)
        #expect(try authenticate(device, assertion(device, signCount: 0), stored: device.stored(signCount: 0)).counterVerdict == .zero)
        for (old, new) in [(UInt32(5), UInt32(5)), (5, 4), (5, 0), (0xFFFF_FFFF, 1)] {
            #expect(throws: WebAuthnError.counterRegressed(old: old, new: new)) {
                try authenticate(device, assertion(device, signCount: new), stored: device.stored(signCount: old))
            }
            let warned = try authenticate(device, assertion(device, signCount: new), rp: warn, stored: device.stored(signCount: old))
            #expect(warned.counterVerdict == .regressed && warned.newSignCount == new)
        }
        // A forged assertion never reaches the counter check.
        var forged = try assertion(device, signCount: 1)
        forged.response.signature = Encoding.base64URL([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])
        #expect(throws: WebAuthnError.signatureInvalid) { try authenticate(device, forged, stored: device.stored(signCount: 9)) }
    }

    @Test("flags: UV required, UP missing, BS without BE, BE changed, AT in an assertion")
    func flags() throws {
        let device = try SoftAuthenticator()
        let required = try device.relyingParty(userVerification: .required)
        #expect(throws: WebAuthnError.userVerificationRequired) { try authenticate(device, assertion(device, flags: up), rp: required) }
        #expect(try authenticate(device, assertion(device, flags: up | uv), rp: required).userVerified)
        #expect(throws: WebAuthnError.userNotPresent) { try authenticate(device, assertion(device, flags: uv)) }
        #expect(throws: WebAuthnError.backupStateWithoutEligibility) { try authenticate(device, assertion(device, flags: up | bs)) }
        #expect(throws: WebAuthnError.backupEligibilityChanged) {
            try authenticate(device, assertion(device, flags: up | be), stored: device.stored(signCount: 4, backupEligible: false))
        }
        #expect(try authenticate(device, assertion(device, flags: up | be | bs), stored: device.stored(signCount: 4, backupEligible: true)).backupState)
        let attested = try device.assertion(authData: device.authenticatorData(flags: up, signCount: 5, attested: true),
                                            clientData: device.clientData(type: "webauthn.get", challenge: challenge))
        #expect(throws: WebAuthnError.unexpectedAttestedCredentialData) { try authenticate(device, attested) }
    }

    @Test("trailing bytes and truncation in assertion authenticator data")
    func assertionAuthenticatorData() throws {
        let device = try SoftAuthenticator()
        let clientData = device.clientData(type: "webauthn.get", challenge: challenge)
        let authData = try device.authenticatorData(flags: up, signCount: 5, attested: false)
        #expect(throws: WebAuthnError.invalidAuthenticatorData("1 trailing bytes after byte 37")) {
            try authenticate(device, device.assertion(authData: authData + [0xA0], clientData: clientData))
        }
        #expect(throws: WebAuthnError.invalidAuthenticatorData("shorter than 37 bytes")) {
            try authenticate(device, device.assertion(authData: Array(authData.dropLast()), clientData: clientData))
        }
        #expect(throws: WebAuthnError.invalidAuthenticatorData("ED flag set but no extension data")) {
            var flagged = authData
            flagged[32] |= 0x80
            return try authenticate(device, device.assertion(authData: flagged, clientData: clientData))
        }
        let withExtensions = try device.authenticatorData(flags: up, signCount: 5, attested: false, extensions: ["uvm": 1])
        #expect(try authenticate(device, device.assertion(authData: withExtensions, clientData: clientData)).newSignCount == 5)
    }

    @Test("client data: cross-origin, topOrigin, token binding, strict JSON")
    func clientData() throws {
        let device = try SoftAuthenticator()
        #expect(throws: WebAuthnError.crossOriginNotAllowed) { try authenticate(device, assertion(device, extra: ",\"crossOrigin\":true")) }
        #expect(try authenticate(device, assertion(device, extra: ",\"crossOrigin\":false")).newSignCount == 5)
        let embedding = try device.relyingParty(crossOrigin: .allowEmbedding(topOrigins: ["https://portal.example"]))
        #expect(try authenticate(device, assertion(device, extra: ",\"crossOrigin\":true,\"topOrigin\":\"https://portal.example\""), rp: embedding)
            .newSignCount == 5)
        #expect(throws: WebAuthnError.topOriginNotAllowed("https://evil.example")) {
            try authenticate(device, assertion(device, extra: ",\"crossOrigin\":true,\"topOrigin\":\"https://evil.example\""), rp: embedding)
        }
        #expect(throws: WebAuthnError.crossOriginNotAllowed) {
            try authenticate(device, assertion(device, extra: ",\"crossOrigin\":true,\"topOrigin\":\"https://portal.example\""))
        }
        #expect(throws: WebAuthnError.invalidClientData("'topOrigin' without 'crossOrigin: true'")) {
            try authenticate(device, assertion(device, extra: ",\"topOrigin\":\"https://portal.example\""))
        }
        #expect(throws: WebAuthnError.invalidClientData("'crossOrigin' is not a Boolean")) {
            try authenticate(device, assertion(device, extra: ",\"crossOrigin\":\"false\""))
        }
        #expect(throws: WebAuthnError.invalidClientData("duplicate member 'origin'")) {
            try authenticate(device, assertion(device, extra: ",\"origin\":\"https://example.com\""))
        }
        #expect(try authenticate(device, assertion(device, extra: ",\"tokenBinding\":{\"status\":\"supported\"}")).newSignCount == 5)
        #expect(throws: WebAuthnError.tokenBindingInvalid("status 'present', but this server does not support Token Binding")) {
            try authenticate(device, assertion(device, extra: ",\"tokenBinding\":{\"status\":\"present\",\"id\":\"AAAA\"}"))
        }
        #expect(throws: WebAuthnError.tokenBindingInvalid("status 'not-supported' is not 'present' or 'supported'")) {
            try authenticate(device, assertion(device, extra: ",\"tokenBinding\":{\"status\":\"not-supported\"}"))
        }
        var notJSON = try assertion(device)
        notJSON.response.clientDataJSON = Encoding.base64URL(Array("{\"type\":\"webauthn.get\",}".utf8))
        #expect(throws: WebAuthnError.invalidClientData("not valid JSON at byte 23")) { try authenticate(device, notJSON) }
        let badChallenge = try device.assertion(
            authData: device.authenticatorData(flags: up, signCount: 5, attested: false),
            clientData: Array("{\"type\":\"webauthn.get\",\"challenge\":\"AAAA=\",\"origin\":\"https://example.com\"}".utf8))
        #expect(throws: WebAuthnError.invalidBase64URL(field: "clientDataJSON.challenge")) { try authenticate(device, badChallenge) }
    }

    @Test("algorithm policy: a stored algorithm outside the allowed list is refused")
    func algorithmPolicy() throws {
        let device = try SoftAuthenticator()
        #expect(throws: WebAuthnError.algorithmNotAllowed(-7)) {
            try authenticate(device, assertion(device), rp: device.relyingParty(algorithms: [.rs256]))
        }
        var mismatched = device.stored(signCount: 4)
        mismatched.algorithm = .rs256
        #expect(throws: WebAuthnError.invalidPublicKey("stored key does not fit alg -257")) { try authenticate(device, assertion(device), stored: mismatched) }
    }

    @Test("strict credential JSON parsing")
    func credentialJSON() throws {
        let device = try SoftAuthenticator()
        let response = try assertion(device, userHandle: device.userHandle)
        let encoded = Array(try JSONEncoder().encode(response))
        #expect(try AuthenticationResponseJSON(json: encoded) == response)
        let duplicate = Array("{\"id\":\"AA\",\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{}}".utf8)
        #expect(throws: WebAuthnError.malformedResponse("duplicate member 'id'")) { try AuthenticationResponseJSON(json: duplicate) }
        let missing = Array("{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"AA\"}}".utf8)
        #expect(throws: WebAuthnError.malformedResponse("missing string 'response.authenticatorData'")) {
            try AuthenticationResponseJSON(json: missing)
        }
        let registration = try device.registration(challenge: challenge, authData: device.authenticatorData(flags: up, signCount: 0, attested: true))
        #expect(try RegistrationResponseJSON(json: Array(JSONEncoder().encode(registration))) == registration)
        // The shared envelope reads the registration's own response members, with their paths in the errors.
        let noAttestation = Array("{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"AA\"}}".utf8)
        #expect(throws: WebAuthnError.malformedResponse("missing string 'response.attestationObject'")) {
            try RegistrationResponseJSON(json: noAttestation)
        }
        let badTransports = Array(
            "{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"AA\",\"attestationObject\":\"AA\",\"transports\":\"usb\"}}".utf8)
        #expect(throws: WebAuthnError.malformedResponse("'response.transports' is not an array")) { try RegistrationResponseJSON(json: badTransports) }
        let noResponse = Array("{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\"}".utf8)
        #expect(throws: WebAuthnError.malformedResponse("missing object 'response'")) { try RegistrationResponseJSON(json: noResponse) }
    }

    @Test("relying-party configuration is validated")
    func configuration() {
        #expect(throws: WebAuthnError.invalidConfiguration("the RP ID is empty")) { try RelyingParty(id: "", allowedOrigins: ["https://a"]) }
        #expect(throws: WebAuthnError.invalidConfiguration("no allowed origins")) { try RelyingParty(id: "a", allowedOrigins: []) }
        #expect(throws: WebAuthnError.invalidConfiguration("no allowed algorithms")) {
            try RelyingParty(id: "a", allowedOrigins: ["https://a"], allowedAlgorithms: [])
        }
    }

    @Test("every error has a human-readable description")
    func descriptions() {
        let errors: [WebAuthnError] = [.challengeMismatch, .counterRegressed(old: 7, new: 3), .originNotAllowed("https://x"), .signatureInvalid]
        for error in errors { #expect(!error.description.isEmpty && error.description.first?.isUppercase == true) }
        #expect(WebAuthnError.counterRegressed(old: 7, new: 3).description.contains("stored 7, received 3"))
        #expect(WebAuthnError.counterRegressed(old: 7, new: 3).code == "counter_regressed")
        #expect(WebAuthnError.badCBOR("x").code == "bad_cbor" && WebAuthnError.invalidBase64URL(field: "id").code == "invalid_base64url")
    }
}
