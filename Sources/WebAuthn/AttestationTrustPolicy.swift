import AuthCrypto

/// Which attestation certificate chains a relying party trusts: trust anchors per attestation format, and the
/// instant at which the certificates must be valid.
///
/// With anchors for a format, a registration whose statement carries a certificate chain (`x5c`) must chain to
/// one of them (RFC 5280 path validation, see ``AuthCrypto/X509Certificate/validatePath(intermediates:trustAnchors:at:)``),
/// or it fails with ``WebAuthnError/attestationChainUntrusted(_:)``; a chain that validates is reported as
/// ``AttestationResult/Trust/trusted``. Without anchors the chain is not evaluated and is reported as
/// ``AttestationResult/Trust/unverified``, which is the default (``noAnchors``).
///
/// Only `packed` statements are verified by this library, so only `packed` may have anchors: anchors for a
/// format accepted as `none` could never be honoured, and the initializer refuses them. Self attestation
/// (`packed` without `x5c`) has no chain to validate and stays ``AttestationResult/Trust/notApplicable``.
public struct AttestationTrustPolicy: Sendable {
    /// The instant at which certificates must be within their validity periods.
    public enum ValidationTime: Sendable, Equatable {
        /// The time the ceremony is verified — the verifier's injected clock, given to
        /// ``verifyRegistration(response:expectedChallenge:rp:at:)``: what a live relying party wants.
        case verificationTime
        /// A fixed instant, in seconds since 1970-01-01T00:00:00Z: to re-evaluate a recorded ceremony (or a test
        /// vector) whose certificates have expired since.
        case fixed(secondsSince1970: Int64)

        /// The instant for ``AuthCrypto/X509Certificate/validatePath(intermediates:trustAnchors:at:)`` (`nil`: now).
        var secondsSince1970: Int64? {
            if case let .fixed(seconds) = self { return seconds }
            return nil
        }
    }

    /// The trust anchors by format.
    public let anchors: [AttestationFormat: [X509Certificate]]
    /// When certificates must be valid.
    public let validationTime: ValidationTime

    /// No anchors: certificate chains are not evaluated (reported as ``AttestationResult/Trust/unverified``).
    public static let noAnchors = AttestationTrustPolicy(checked: [:], validationTime: .verificationTime)

    /// Creates a policy. Throws ``WebAuthnError/invalidConfiguration(_:)`` for anchors of a format other than
    /// `packed`, or an empty anchor list.
    public init(anchors: [AttestationFormat: [X509Certificate]], validationTime: ValidationTime = .verificationTime) throws(WebAuthnError) {
        for format in anchors.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard format == .packed else {
                throw .invalidConfiguration(
                    "trust anchors for '\(format.rawValue)' cannot be honoured: its attestation statements are not verified")
            }
            guard anchors[format]?.isEmpty == false else {
                throw .invalidConfiguration("the trust anchor list for '\(format.rawValue)' is empty")
            }
        }
        self.init(checked: anchors, validationTime: validationTime)
    }

    private init(checked anchors: [AttestationFormat: [X509Certificate]], validationTime: ValidationTime) {
        self.anchors = anchors
        self.validationTime = validationTime
    }

    /// The anchors configured for `format`, or `nil` when its chains are not evaluated.
    public func anchors(for format: AttestationFormat) -> [X509Certificate]? {
        anchors[format]
    }
}
