import COpenSSL

/// Why an X.509 certification path did not validate (see ``X509Certificate/validatePath(intermediates:trustAnchors:at:)``).
///
/// ``reason`` is for callers that branch; ``openSSLCode``, ``message`` and ``depth`` keep OpenSSL's own verdict
/// (`X509_STORE_CTX_get_error`, `X509_verify_cert_error_string`, `X509_STORE_CTX_get_error_depth`) for logs.
public struct CertificatePathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad reason, for callers that branch on it.
    public enum Reason: String, Sendable, Equatable {
        /// No path leads from the certificate to one of the trust anchors (an issuer is missing, or the path
        /// ends in a self-signed certificate that is not an anchor).
        case noPathToTrustAnchor = "no_path_to_trust_anchor"
        /// A certificate on the path had expired at the validation time.
        case expired
        /// A certificate on the path was not yet valid at the validation time.
        case notYetValid = "not_yet_valid"
        /// A certificate's signature does not verify with its issuer's key.
        case signatureInvalid = "signature_invalid"
        /// An issuing certificate on the path is not a CA (basic constraints, key usage) or exceeds its path length.
        case invalidCertificateAuthority = "invalid_certificate_authority"
        /// Another RFC 5280 rule failed (see ``message``).
        case other
        /// Validation could not run (no trust anchors, or OpenSSL failed to set up); ``openSSLCode`` is 0.
        case validationNotRun = "validation_not_run"
    }

    /// The broad reason.
    public let reason: Reason
    /// OpenSSL's `X509_V_ERR_*` code, or 0 when validation could not run.
    public let openSSLCode: Int
    /// OpenSSL's text for the code (e.g. "unable to get local issuer certificate"), or what failed.
    public let message: String
    /// The position on the path of the certificate the error is about (0 is the certificate being validated),
    /// or -1 when validation could not run.
    public let depth: Int

    /// Creates an error from OpenSSL's verdict.
    init(openSSLCode: Int32, depth: Int32) {
        self.openSSLCode = Int(openSSLCode)
        self.depth = Int(depth)
        self.message = X509_verify_cert_error_string(Int(openSSLCode)).map { String(cString: $0) } ?? "X509_V_ERR \(openSSLCode)"
        self.reason = switch openSSLCode {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            .noPathToTrustAnchor
        case X509_V_ERR_CERT_HAS_EXPIRED: .expired
        case X509_V_ERR_CERT_NOT_YET_VALID: .notYetValid
        case X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: .signatureInvalid
        case X509_V_ERR_INVALID_CA, X509_V_ERR_PATH_LENGTH_EXCEEDED, X509_V_ERR_KEYUSAGE_NO_CERTSIGN: .invalidCertificateAuthority
        default: .other
        }
    }

    /// Creates an error for a validation that could not run.
    init(notRun message: String) {
        self.reason = .validationNotRun
        self.openSSLCode = 0
        self.message = message
        self.depth = -1
    }

    /// The reason, OpenSSL's message and the depth.
    public var description: String {
        reason == .validationNotRun ? "certificate path not validated: \(message)" : "\(reason.rawValue) at depth \(depth): \(message)"
    }
}
