import AuthCore
import AuthHTTP
import Hummingbird

/// The API's problem types and ready-made problems.
extension Problem {
    /// Problem type URIs of the auth API.
    public enum AuthTypes {
        /// No valid credentials were presented.
        public static let unauthenticated = "urn:authd:problem:unauthenticated"
        /// Email and password do not match an account (same body whether or not the email exists).
        public static let invalidCredentials = "urn:authd:problem:invalid-credentials"
        /// The refresh token is not valid (unknown, used, revoked or expired).
        public static let invalidRefreshToken = "urn:authd:problem:invalid-refresh-token"
        /// The email is already registered.
        public static let emailTaken = "urn:authd:problem:email-taken"
        /// The current password given to a password change is wrong.
        public static let wrongPassword = "urn:authd:problem:wrong-password"
        /// The state changed concurrently; retry.
        public static let conflict = "urn:authd:problem:conflict"
        /// A WebAuthn ceremony failed verification; `code` says why.
        public static let webauthn = "urn:authd:problem:webauthn"
        /// The passkey's credential id is already registered.
        public static let credentialTaken = "urn:authd:problem:credential-taken"
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    static func unauthenticated(_ detail: String = "a valid session cookie or bearer token is required") -> Problem {
        var problem = Problem(status: .unauthorized, type: AuthTypes.unauthenticated, title: "Unauthenticated", detail: detail)
        problem.headers[.wwwAuthenticate] = #"Bearer realm="authd""#
        return problem
    }

    /// 401 for a failed login; identical for unknown emails and wrong passwords.
    static let invalidCredentials = Problem(
        status: .unauthorized, type: AuthTypes.invalidCredentials, title: "Invalid credentials", detail: "email or password is incorrect")

    /// 401 for a refused refresh token (identical for unknown, used, revoked and expired tokens).
    static let invalidRefreshToken = Problem(
        status: .unauthorized, type: AuthTypes.invalidRefreshToken, title: "Invalid refresh token",
        detail: "the refresh token is not valid; log in again")

    /// 400 for a failed WebAuthn ceremony: `detail` says what failed, the `code` member names it.
    static func webauthn(code: String, detail: String) -> Problem {
        Problem(
            status: .badRequest, type: AuthTypes.webauthn, title: "WebAuthn verification failed", detail: detail,
            extensions: ["code": .string(code)])
    }

    /// 403 for a wrong current password.
    static let wrongPassword = Problem(
        status: .forbidden, type: AuthTypes.wrongPassword, title: "Wrong password", detail: "the current password is incorrect")
}

extension AuthError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .emailTaken:
            Problem(status: .conflict, type: Problem.AuthTypes.emailTaken, title: "Email taken", detail: "this email is already registered")
        case .unknownUser:
            .unauthenticated("the account no longer exists")
        case .sessionNotFound:
            .notFound("no such session")
        case .passwordChangedConcurrently:
            Problem(
                status: .conflict, type: Problem.AuthTypes.conflict, title: "Conflict",
                detail: "the password was changed concurrently; try again")
        case .credentialTaken:
            Problem(
                status: .conflict, type: Problem.AuthTypes.credentialTaken, title: "Credential taken",
                detail: "this passkey is already registered")
        case .passkeyNotFound:
            .notFound("no such passkey")
        }
    }
}
