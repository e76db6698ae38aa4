import AuthCrypto

/// Why a WebAuthn ceremony was rejected. Each case is one failure reason; ``description`` is a sentence fit
/// for the `detail` of an HTTP 400 problem response (it names the problem, never secret material).
public enum WebAuthnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The relying-party configuration is unusable (empty RP ID, no allowed origins, no algorithms).
    case invalidConfiguration(String)
    /// The credential JSON is not the expected shape: not JSON, a missing or mistyped member.
    case malformedResponse(String)
    /// A binary member is not strict base64url (RFC 4648 §5, no padding); names the member.
    case invalidBase64URL(field: String)
    /// The credential's `type` is not `"public-key"`.
    case wrongCredentialType(String)
    /// `id` and `rawId` name different credentials.
    case credentialIdInconsistent
    /// `clientDataJSON` is not a strict JSON object with string `type`, `challenge` and `origin`.
    case invalidClientData(String)
    /// `clientDataJSON.type` is not the ceremony's type (`webauthn.create` or `webauthn.get`).
    case wrongCeremonyType(expected: String, actual: String)
    /// `clientDataJSON.challenge` does not decode to the challenge the relying party issued.
    case challengeMismatch
    /// `clientDataJSON.origin` is not in the relying party's list of allowed origins.
    case originNotAllowed(String)
    /// `clientDataJSON.crossOrigin` is true and the relying party does not allow cross-origin embedding.
    case crossOriginNotAllowed
    /// `clientDataJSON.topOrigin` is not one of the top-level origins the relying party allows.
    case topOriginNotAllowed(String)
    /// `clientDataJSON.tokenBinding` has a status that is invalid, or `present` (Token Binding is unsupported).
    case tokenBindingInvalid(String)
    /// The attestation object (or a COSE key) is not strict CBOR: malformed, duplicate map keys, trailing bytes.
    case badCBOR(String)
    /// The attestation object is CBOR but not a map of exactly `fmt`, `attStmt` and `authData`.
    case invalidAttestationObject(String)
    /// The authenticator data is truncated, has trailing bytes, or a malformed field.
    case invalidAuthenticatorData(String)
    /// The authenticator data's RP ID hash is not SHA-256 of the relying party's RP ID.
    case rpIdHashMismatch
    /// The User Present (UP) flag is not set.
    case userNotPresent
    /// User verification is required by policy and the User Verified (UV) flag is not set.
    case userVerificationRequired
    /// The Backup State (BS) flag is set without Backup Eligible (BE), which authenticators must never do.
    case backupStateWithoutEligibility
    /// The Backup Eligible (BE) flag differs from the one recorded at registration (it cannot change).
    case backupEligibilityChanged
    /// A registration's authenticator data has no attested credential data (AT flag clear).
    case missingAttestedCredentialData
    /// An assertion's authenticator data carries attested credential data (AT flag set).
    case unexpectedAttestedCredentialData
    /// The credential ID is empty or longer than 1023 bytes.
    case credentialIdLength(Int)
    /// The COSE algorithm is not one this library implements (e.g. ML-DSA), or not in that place (EdDSA -8 over a
    /// curve other than Ed25519, RS1 for a `packed` attestation signature).
    case unsupportedAlgorithm(Int)
    /// The COSE algorithm is implemented but not in the relying party's allowed list.
    case algorithmNotAllowed(Int)
    /// The credential public key is malformed or does not match its algorithm (key type, curve, size).
    case invalidPublicKey(String)
    /// The attestation statement format is not a registered WebAuthn format.
    case unsupportedAttestationFormat(String)
    /// The attestation statement is malformed or fails a format rule (other than its signature).
    case invalidAttestationStatement(String)
    /// The attestation statement's signature does not verify.
    case attestationSignatureInvalid
    /// The relying party configured trust anchors for the format and the statement's certificate chain does not
    /// validate to one of them (no path, expired, bad signature...): the path validation's verdict.
    case attestationChainUntrusted(CertificatePathError)
    /// The assertion signature does not verify with the stored public key.
    case signatureInvalid
    /// The response names a credential other than the one the relying party looked up.
    case credentialIdMismatch
    /// The response's `userHandle` is not the user handle stored with the credential.
    case userHandleMismatch
    /// The signature counter did not advance (policy `reject`): WebAuthn §6.1.1 possible cloned authenticator.
    case counterRegressed(old: UInt32, new: UInt32)

    /// A human-readable sentence for an HTTP 400 `detail`.
    public var description: String {
        switch self {
        case let .invalidConfiguration(reason): "WebAuthn relying-party configuration is invalid: \(reason)"
        case let .malformedResponse(reason): "The credential response is malformed: \(reason)"
        case let .invalidBase64URL(field): "The credential member '\(field)' is not valid base64url"
        case let .wrongCredentialType(type): "The credential type '\(type)' is not 'public-key'"
        case .credentialIdInconsistent: "The credential 'id' and 'rawId' do not match"
        case let .invalidClientData(reason): "clientDataJSON is invalid: \(reason)"
        case let .wrongCeremonyType(expected, actual): "clientDataJSON type is '\(actual)', expected '\(expected)'"
        case .challengeMismatch: "The challenge does not match the one issued for this ceremony"
        case let .originNotAllowed(origin): "The origin '\(origin)' is not allowed for this relying party"
        case .crossOriginNotAllowed: "Cross-origin (embedded) WebAuthn ceremonies are not allowed"
        case let .topOriginNotAllowed(origin): "The top-level origin '\(origin)' is not allowed to embed this relying party"
        case let .tokenBindingInvalid(reason): "clientDataJSON tokenBinding is not acceptable: \(reason)"
        case let .badCBOR(reason): "The CBOR data is malformed: \(reason)"
        case let .invalidAttestationObject(reason): "The attestation object is invalid: \(reason)"
        case let .invalidAuthenticatorData(reason): "The authenticator data is invalid: \(reason)"
        case .rpIdHashMismatch: "The authenticator data was not produced for this relying party ID"
        case .userNotPresent: "The authenticator did not report user presence"
        case .userVerificationRequired: "User verification is required but the authenticator did not verify the user"
        case .backupStateWithoutEligibility: "The authenticator data has the backup-state flag without the backup-eligible flag"
        case .backupEligibilityChanged: "The credential's backup eligibility differs from the one recorded at registration"
        case .missingAttestedCredentialData: "The authenticator data has no attested credential data"
        case .unexpectedAttestedCredentialData: "The assertion's authenticator data unexpectedly carries attested credential data"
        case let .credentialIdLength(length): "The credential ID length \(length) is outside 1...1023 bytes"
        case let .unsupportedAlgorithm(alg): "The COSE algorithm \(alg) is not supported"
        case let .algorithmNotAllowed(alg): "The COSE algorithm \(alg) is not allowed by this relying party"
        case let .invalidPublicKey(reason): "The credential public key is invalid: \(reason)"
        case let .unsupportedAttestationFormat(format): "The attestation format '\(format)' is not supported"
        case let .invalidAttestationStatement(reason): "The attestation statement is invalid: \(reason)"
        case .attestationSignatureInvalid: "The attestation signature is invalid"
        case let .attestationChainUntrusted(error): "The attestation certificate chain is not trusted: \(error)"
        case .signatureInvalid: "The assertion signature is invalid"
        case .credentialIdMismatch: "The response is for a different credential"
        case .userHandleMismatch: "The user handle does not match the credential's user"
        case let .counterRegressed(old, new):
            "The signature counter did not increase (stored \(old), received \(new)); the authenticator may be cloned"
        }
    }

    /// A stable machine-readable code for the failure reason (snake case, e.g. `challenge_mismatch`), for
    /// logs, metrics and a problem response's `code` member.
    public var code: String {
        switch self {
        case .invalidConfiguration: "invalid_configuration"
        case .malformedResponse: "malformed_response"
        case .invalidBase64URL: "invalid_base64url"
        case .wrongCredentialType: "wrong_credential_type"
        case .credentialIdInconsistent: "credential_id_inconsistent"
        case .invalidClientData: "invalid_client_data"
        case .wrongCeremonyType: "wrong_ceremony_type"
        case .challengeMismatch: "challenge_mismatch"
        case .originNotAllowed: "origin_not_allowed"
        case .crossOriginNotAllowed: "cross_origin_not_allowed"
        case .topOriginNotAllowed: "top_origin_not_allowed"
        case .tokenBindingInvalid: "token_binding_invalid"
        case .badCBOR: "bad_cbor"
        case .invalidAttestationObject: "invalid_attestation_object"
        case .invalidAuthenticatorData: "invalid_authenticator_data"
        case .rpIdHashMismatch: "rp_id_hash_mismatch"
        case .userNotPresent: "user_not_present"
        case .userVerificationRequired: "user_verification_required"
        case .backupStateWithoutEligibility: "backup_state_without_eligibility"
        case .backupEligibilityChanged: "backup_eligibility_changed"
        case .missingAttestedCredentialData: "missing_attested_credential_data"
        case .unexpectedAttestedCredentialData: "unexpected_attested_credential_data"
        case .credentialIdLength: "credential_id_length"
        case .unsupportedAlgorithm: "unsupported_algorithm"
        case .algorithmNotAllowed: "algorithm_not_allowed"
        case .invalidPublicKey: "invalid_public_key"
        case .unsupportedAttestationFormat: "unsupported_attestation_format"
        case .invalidAttestationStatement: "invalid_attestation_statement"
        case .attestationSignatureInvalid: "attestation_signature_invalid"
        case .attestationChainUntrusted: "attestation_chain_untrusted"
        case .signatureInvalid: "signature_invalid"
        case .credentialIdMismatch: "credential_id_mismatch"
        case .userHandleMismatch: "user_handle_mismatch"
        case .counterRegressed: "counter_regressed"
        }
    }
}
