import AuthCrypto

/// Verifies an authentication ceremony (WebAuthn §7.2) against the stored credential.
///
/// Checks, in order: `type` is `"public-key"`, `id`/`rawId` agree and name `credential.id`; a `userHandle`,
/// when present, equals `credential.userHandle`; the stored algorithm is allowed; client data (`webauthn.get`,
/// the challenge, an allowed origin, the cross-origin policy, token binding); authenticator data (strict, no
/// attested credential data, the RP ID hash, UP, UV per policy, BS only with BE, BE unchanged when recorded);
/// the signature over `authenticatorData || SHA-256(clientDataJSON)` (ECDSA as DER, RSA PKCS#1 v1.5 or PSS,
/// Ed25519); and last the signature counter (§6.1.1): when either counter is non-zero the new one must be
/// greater, otherwise ``WebAuthnError/counterRegressed(old:new:)`` under the `reject` policy, or the verdict
/// ``VerifiedAuthentication/CounterVerdict/regressed`` under `warn`.
public func verifyAuthentication(
    response: AuthenticationResponseJSON, expectedChallenge: [UInt8], rp: RelyingParty, credential: StoredCredential
) throws(WebAuthnError) -> VerifiedAuthentication {
    guard response.type == "public-key" else { throw .wrongCredentialType(response.type) }
    let credentialId = try Base64URLField.credentialId(id: response.id, rawId: response.rawId)
    guard credentialId == credential.id else { throw .credentialIdMismatch }
    var userHandle: [UInt8]? = nil
    if let text = response.response.userHandle {
        let handle = try Base64URLField.decode(text, field: "response.userHandle")
        guard ConstantTime.equals(handle, credential.userHandle) else { throw .userHandleMismatch }
        userHandle = handle
    }
    guard rp.allowedAlgorithms.contains(credential.algorithm) else { throw .algorithmNotAllowed(credential.algorithm.rawValue) }

    let clientDataJSON = try Base64URLField.decode(response.response.clientDataJSON, field: "response.clientDataJSON")
    let clientData = try ClientData(json: clientDataJSON)
    try clientData.verify(type: ClientData.getType, expectedChallenge: expectedChallenge, rp: rp)

    let authBytes = try Base64URLField.decode(response.response.authenticatorData, field: "response.authenticatorData")
    let authData = try AuthenticatorData(bytes: authBytes)
    guard authData.attestedCredentialData == nil else { throw .unexpectedAttestedCredentialData }
    try authData.checkCommon(for: rp)
    if let recorded = credential.backupEligible, recorded != authData.backupEligible { throw .backupEligibilityChanged }

    let signature = try Base64URLField.decode(response.response.signature, field: "response.signature")
    let key: PublicKey
    do {
        key = try PublicKey(spkiDER: credential.publicKeySPKI)
    } catch {
        throw .invalidPublicKey("stored key: \(error.operation)")
    }
    guard key.supports(credential.algorithm.signatureAlgorithm) else {
        throw .invalidPublicKey("stored key does not fit alg \(credential.algorithm.rawValue)")
    }
    guard credential.algorithm.verify(signature, of: authBytes + SHA256.hash(clientDataJSON), with: key) else {
        throw .signatureInvalid
    }

    let old = credential.signCount, new = authData.signCount
    let verdict: VerifiedAuthentication.CounterVerdict
    if old == 0 && new == 0 {
        verdict = .zero
    } else if new > old {
        verdict = .advanced
    } else {
        guard rp.counterPolicy == .warn else { throw .counterRegressed(old: old, new: new) }
        verdict = .regressed
    }
    return VerifiedAuthentication(
        credentialId: credentialId,
        newSignCount: new,
        counterVerdict: verdict,
        userVerified: authData.userVerified,
        backupEligible: authData.backupEligible,
        backupState: authData.backupState,
        userHandle: userHandle)
}
