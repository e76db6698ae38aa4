import AuthCrypto

/// Verifies a registration ceremony (WebAuthn §7.1) and returns what to store for the new credential.
///
/// Checks, in order: `type` is `"public-key"`; client data (`webauthn.create`, the
/// challenge, an allowed origin, the cross-origin policy, token binding); the attestation object is strict CBOR
/// of exactly `fmt`/`attStmt`/`authData`; the RP ID hash; UP; UV when the policy requires it; BS only with BE;
/// AT with a credential ID of 1...1023 bytes; a supported COSE key whose algorithm the
/// relying party allows; the L3 `authenticatorData`/`publicKeyAlgorithm` copies, when sent, agree with the
/// attestation object; and the attestation statement (see ``AttestationStatement``).
///
/// The credential ID is the one in the attested credential data (signed by the authenticator under packed
/// attestation); the response's `id`/`rawId` are client-supplied copies and are not used (as in other relying
/// party libraries; test fixtures carry placeholders there).
///
/// The attestation chain is validated against the relying party's trust anchors for the format when it has any
/// (``RelyingParty/attestationTrust``), else reported as ``AttestationResult/Trust/unverified``. Certificate
/// validity is judged at `verificationTime` (seconds since 1970 from the caller's injected clock, so a server on a
/// test or replay clock judges by that clock), unless the policy fixes a time; `nil` uses the system clock.
///
/// Not checked: authenticator extension outputs (none are requested).
public func verifyRegistration(
    response: RegistrationResponseJSON, expectedChallenge: [UInt8], rp: RelyingParty, at verificationTime: Int64? = nil
) throws(WebAuthnError) -> VerifiedRegistration {
    guard response.type == "public-key" else { throw .wrongCredentialType(response.type) }

    let clientDataJSON = try Base64URLField.decode(response.response.clientDataJSON, field: "response.clientDataJSON")
    let clientData = try ClientData(json: clientDataJSON)
    try clientData.verify(type: ClientData.createType, expectedChallenge: expectedChallenge, rp: rp)
    let clientDataHash = SHA256.hash(clientDataJSON)

    let attestationBytes = try Base64URLField.decode(response.response.attestationObject, field: "response.attestationObject")
    let attestation = try AttestationObject(bytes: attestationBytes)
    let authData = attestation.authenticatorData
    try authData.checkCommon(for: rp)
    guard let attested = authData.attestedCredentialData else { throw .missingAttestedCredentialData }
    let credentialId = attested.credentialId
    let algorithm = attested.publicKey.algorithm
    guard rp.allowedAlgorithms.contains(algorithm) else { throw .algorithmNotAllowed(algorithm.rawValue) }

    if let copy = response.response.authenticatorData {
        let bytes = try Base64URLField.decode(copy, field: "response.authenticatorData")
        guard bytes == authData.rawValue else {
            throw .malformedResponse("response.authenticatorData differs from the attestation object's authData")
        }
    }
    if let copy = response.response.publicKeyAlgorithm, copy != algorithm.rawValue {
        throw .malformedResponse("response.publicKeyAlgorithm differs from the credential key's alg")
    }

    let result = try attestation.statement.verify(authenticatorData: authData, clientDataHash: clientDataHash, trust: rp.attestationTrust, at: verificationTime)
    return VerifiedRegistration(
        credentialId: credentialId,
        publicKeySPKI: attested.publicKey.spkiDER,
        publicKeyCOSE: attested.publicKeyCBOR,
        algorithm: algorithm,
        signCount: authData.signCount,
        aaguid: attested.aaguid,
        aaguidString: attested.aaguidString,
        userVerified: authData.userVerified,
        backupEligible: authData.backupEligible,
        backupState: authData.backupState,
        attestationFormat: result.format,
        attestationVerified: result.verified,
        attestationKind: result.kind,
        attestationTrust: result.trust,
        attestationCertificates: result.certificateChain,
        transports: response.response.transports ?? [],
        authenticatorExtensions: authData.extensions)
}
