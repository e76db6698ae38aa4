/// The outcome of a successful authentication: the new counter to store and the flags to act on.
public struct VerifiedAuthentication: Sendable, Equatable {
    /// How the signature counter moved (WebAuthn §6.1.1).
    public enum CounterVerdict: String, Sendable, Equatable {
        /// The new counter is greater than the stored one.
        case advanced
        /// Both counters are zero: the authenticator keeps no counter (typical of synced passkeys).
        case zero
        /// The counter did not advance while one of them is non-zero: a possible cloned authenticator.
        /// Only returned under ``RelyingParty/CounterPolicy/warn``.
        case regressed
    }

    /// The credential ID.
    public let credentialId: [UInt8]
    /// The counter the assertion carried; store it (also under `regressed`, per the caller's policy).
    public let newSignCount: UInt32
    /// The counter verdict.
    public let counterVerdict: CounterVerdict
    /// Whether the UV flag was set.
    public let userVerified: Bool
    /// The BE flag.
    public let backupEligible: Bool
    /// The BS flag (it may change over the credential's life; store the latest).
    public let backupState: Bool
    /// The user handle the response carried, if any (it matched the stored one).
    public let userHandle: [UInt8]?
}
