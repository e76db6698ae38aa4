/// The registered WebAuthn attestation statement formats (IANA "WebAuthn Attestation Statement Format
/// Identifiers"), and how far this library verifies each.
public enum AttestationFormat: String, Sendable, CaseIterable, Codable {
    /// No attestation; the statement must be an empty map. Verified.
    case none
    /// Packed attestation, self (no `x5c`) or with a certificate chain. Verified (signature and leaf
    /// certificate rules; the chain is validated when the relying party configures trust anchors for it).
    case packed
    /// TPM attestation. Accepted as `none`: the statement is not verified.
    case tpm
    /// Android Key attestation. Accepted as `none`: the statement is not verified.
    case androidKey = "android-key"
    /// Android SafetyNet attestation. Accepted as `none`: the statement is not verified.
    case androidSafetyNet = "android-safetynet"
    /// FIDO U2F attestation. Accepted as `none`: the statement is not verified.
    case fidoU2F = "fido-u2f"
    /// Apple anonymous attestation. Accepted as `none`: the statement is not verified.
    case apple

    /// Whether this library verifies statements of this format (`none` and `packed`).
    public var isVerified: Bool { self == .none || self == .packed }
}
