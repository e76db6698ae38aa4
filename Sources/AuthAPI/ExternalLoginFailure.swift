/// Why an external login failed before the identity was known, as the `#error=` code of the callback's redirect and the
/// `reason` of `login.failed` (the decisions after it, such as `email_unverified_conflict`, are ``ExternalLogin``'s).
enum ExternalLoginFailure: Error, Sendable, Equatable {
    case accessDenied, stateInvalid, idTokenInvalid(String), providerUnavailable, providerError(String)

    /// The code.
    var code: String {
        switch self {
        case .accessDenied: "access_denied"
        case .stateInvalid: "state_invalid"
        case .idTokenInvalid: "id_token_invalid"
        case .providerUnavailable: "provider_unavailable"
        case .providerError: "provider_error"
        }
    }

    init(_ error: ProviderCallError) {
        switch error {
        case .unavailable: self = .providerUnavailable
        case .refused(let why): self = .providerError(why)
        }
    }
}
