import AuthCrypto

/// A relying party's WebAuthn configuration: its RP ID, the origins allowed to run ceremonies for it, and
/// the verification policies. Immutable and `Sendable`; build one at startup and share it.
public struct RelyingParty: Sendable {
    /// Whether ceremonies must verify the user (PIN, biometrics), or just observe presence.
    public enum UserVerificationPolicy: String, Sendable, Codable {
        /// Ask for user verification but accept assertions without it (UP is still required).
        case preferred
        /// Reject ceremonies whose authenticator data lacks the UV flag.
        case required
    }

    /// What to do when a signature counter fails to advance (WebAuthn §6.1.1).
    public enum CounterPolicy: Sendable {
        /// Throw ``WebAuthnError/counterRegressed(old:new:)``.
        case reject
        /// Accept, and report ``VerifiedAuthentication/CounterVerdict/regressed`` for the caller to act on.
        case warn
    }

    /// Whether a ceremony may run inside a cross-origin iframe (`clientDataJSON.crossOrigin == true`).
    ///
    /// `topOrigin` handling: WebAuthn Level 3 clients add `topOrigin` (the top-level page's origin) to
    /// cross-origin client data. With ``reject`` any `crossOrigin: true` is refused, whatever `topOrigin` says,
    /// and a `topOrigin` without `crossOrigin: true` is malformed client data. With ``allowEmbedding(topOrigins:)``
    /// a present `topOrigin` must be exactly one of the listed origins; an absent one is accepted, because
    /// Level 2 clients do not send it (the relying party then relies on its own framing policy, e.g. CSP
    /// `frame-ancestors`, to limit who can embed it).
    public enum CrossOriginPolicy: Sendable, Equatable {
        /// Refuse cross-origin ceremonies (the default).
        case reject
        /// Accept cross-origin ceremonies embedded by these top-level origins (exact match).
        case allowEmbedding(topOrigins: [String])
    }

    /// The RP ID: a registrable domain suffix of the origins' hosts, e.g. `"example.com"`.
    public let id: String
    /// The display name sent in creation options.
    public let name: String
    /// The exact origins (`scheme://host[:port]`, or an app origin such as `android:apk-key-hash:...`)
    /// that may run ceremonies. Compared as exact strings with `clientDataJSON.origin`.
    public let allowedOrigins: [String]
    /// The user-verification policy (default ``UserVerificationPolicy/preferred``).
    public let userVerification: UserVerificationPolicy
    /// The signature-counter policy (default ``CounterPolicy/reject``).
    public let counterPolicy: CounterPolicy
    /// The credential algorithms accepted at registration and authentication, in preference order
    /// (default ES256, EdDSA, RS256); also the `pubKeyCredParams` of creation options. An algorithm outside the
    /// list is refused (``WebAuthnError/algorithmNotAllowed(_:)``) even when implemented: ``COSEAlgorithm/rs1``
    /// (SHA-1, legacy TPMs) is accepted only by a configuration that lists it here explicitly.
    public let allowedAlgorithms: [COSEAlgorithm]
    /// The cross-origin policy (default ``CrossOriginPolicy/reject``).
    public let crossOrigin: CrossOriginPolicy
    /// The attestation trust anchors and certificate validation time (default
    /// ``AttestationTrustPolicy/noAnchors``: chains are reported as unverified, never refused).
    public let attestationTrust: AttestationTrustPolicy
    /// SHA-256 of ``id``, which authenticator data must carry.
    public let rpIdHash: [UInt8]

    /// Creates a configuration. Throws ``WebAuthnError/invalidConfiguration(_:)`` for an empty RP ID, an
    /// empty origin list, an empty or duplicate origin, or an empty algorithm list.
    public init(
        id: String,
        name: String? = nil,
        allowedOrigins: [String],
        userVerification: UserVerificationPolicy = .preferred,
        counterPolicy: CounterPolicy = .reject,
        allowedAlgorithms: [COSEAlgorithm] = COSEAlgorithm.defaultAllowed,
        crossOrigin: CrossOriginPolicy = .reject,
        attestationTrust: AttestationTrustPolicy = .noAnchors
    ) throws(WebAuthnError) {
        guard !id.isEmpty else { throw .invalidConfiguration("the RP ID is empty") }
        guard !allowedOrigins.isEmpty else { throw .invalidConfiguration("no allowed origins") }
        guard !allowedOrigins.contains(where: \.isEmpty) else { throw .invalidConfiguration("an allowed origin is empty") }
        guard Set(allowedOrigins).count == allowedOrigins.count else { throw .invalidConfiguration("duplicate allowed origins") }
        guard !allowedAlgorithms.isEmpty else { throw .invalidConfiguration("no allowed algorithms") }
        self.id = id
        self.name = name ?? id
        self.allowedOrigins = allowedOrigins
        self.userVerification = userVerification
        self.counterPolicy = counterPolicy
        self.allowedAlgorithms = allowedAlgorithms
        self.crossOrigin = crossOrigin
        self.attestationTrust = attestationTrust
        self.rpIdHash = SHA256.hash(Array(id.utf8))
    }
}
