import CBOR

/// The outcome of a successful registration: what to store for the credential.
public struct VerifiedRegistration: Sendable, Equatable {
    /// The credential ID.
    public let credentialId: [UInt8]
    /// The credential public key as DER SubjectPublicKeyInfo.
    public let publicKeySPKI: [UInt8]
    /// The credential public key exactly as the authenticator encoded it (COSE_Key CBOR).
    public let publicKeyCOSE: [UInt8]
    /// The credential's algorithm.
    public let algorithm: COSEAlgorithm
    /// The initial signature counter.
    public let signCount: UInt32
    /// The authenticator's AAGUID (16 bytes).
    public let aaguid: [UInt8]
    /// The AAGUID as a UUID string.
    public let aaguidString: String
    /// Whether the UV flag was set.
    public let userVerified: Bool
    /// The BE flag: the credential may be synced (multi-device).
    public let backupEligible: Bool
    /// The BS flag: the credential is backed up now.
    public let backupState: Bool
    /// The attestation statement format.
    public let attestationFormat: AttestationFormat
    /// Whether the attestation statement was verified (`false` for the formats accepted as `none`).
    public let attestationVerified: Bool
    /// The attestation type.
    public let attestationKind: AttestationResult.Kind
    /// The trust status of the attestation chain: ``AttestationResult/Trust/trusted`` only when the relying party
    /// configured trust anchors for the format (``RelyingParty/attestationTrust``) and the chain validated.
    public let attestationTrust: AttestationResult.Trust
    /// The attestation certificates (DER, leaf first) of a verified `packed` statement with `x5c`.
    public let attestationCertificates: [[UInt8]]
    /// The transports the browser reported (unknown values kept as sent).
    public let transports: [String]
    /// The authenticator extension outputs (a CBOR map) when the ED flag was set; not interpreted.
    public let authenticatorExtensions: CBORValue?
}
