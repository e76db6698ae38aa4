/// What the attestation statement of a registration established.
public struct AttestationResult: Sendable, Equatable {
    /// The attestation type (WebAuthn §6.5.4), as far as it was determined.
    public enum Kind: String, Sendable, Equatable {
        /// `none` attestation: nothing is claimed about the authenticator.
        case none
        /// Self attestation: signed with the credential's own key (packed without `x5c`).
        case `self`
        /// Basic (or AttCA) attestation: signed by an attestation certificate (packed with `x5c`).
        case basic
        /// A format this library accepts without verifying the statement (tpm, android-key, ...).
        case unverified
    }

    /// Whether the certificate chain behind the statement is trusted.
    public enum Trust: String, Sendable, Equatable {
        /// There is no certificate to trust (`none` and self attestation).
        case notApplicable
        /// A certificate chain is present but the relying party configured no trust anchors for the format
        /// (see ``AttestationTrustPolicy``), or the statement itself was not verified. Do not base authorization
        /// decisions on the authenticator model.
        case unverified
        /// The `x5c` chain validated to one of the relying party's trust anchors for the format, at the policy's
        /// validation time.
        case trusted
    }

    /// The statement's format.
    public let format: AttestationFormat
    /// Whether the statement was verified (`true` for `none` and valid `packed`; `false` for the formats
    /// accepted as `none`).
    public let verified: Bool
    /// The attestation type.
    public let kind: Kind
    /// The trust status of the attestation certificate chain.
    public let trust: Trust
    /// The DER certificates from `x5c`, leaf first (empty when there are none or they were not read).
    public let certificateChain: [[UInt8]]
}
