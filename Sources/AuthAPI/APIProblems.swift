import AuthCore
import AuthHTTP
import EventLog
import Hummingbird
import OTP

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
        /// The change needs a session with `aal2` obtained recently: step up (`POST /v1/mfa/step-up`) and retry.
        public static let stepUpRequired = "urn:authd:problem:step-up-required"
        /// The second factor (TOTP code or backup code) is wrong, malformed, replayed or used.
        public static let invalidCode = "urn:authd:problem:invalid-code"
        /// The `mfa_token` is unknown, used, expired or out of attempts: log in with the password again.
        public static let mfaChallengeInvalid = "urn:authd:problem:mfa-challenge-invalid"
        /// The MFA state does not allow this (already enabled, not enabled, no pending enrollment).
        public static let mfaState = "urn:authd:problem:mfa-state"
        /// The recovery token is unknown, used, cancelled or expired.
        public static let invalidRecoveryToken = "urn:authd:problem:invalid-recovery-token"
        /// The recovery's waiting period has not passed; `not_before` says when it does.
        public static let recoveryWaiting = "urn:authd:problem:recovery-waiting"
        /// A TOTP seed, `otpauth://` URI or QR code could not be made for this account (400).
        public static let otpUnavailable = "urn:authd:problem:otp-unavailable"
        /// Too many second-factor failures in a row: the second factor is locked until `locked_until`.
        public static let mfaLocked = "urn:authd:problem:mfa-locked"
        /// The change needs recent authentication: `POST /v1/session/reauthenticate` and retry.
        public static let reauthenticationRequired = "urn:authd:problem:reauthentication-required"
    }

    /// 429: the user's second factor is locked (``MFALockout``); `Retry-After` and `locked_until` say until when.
    static func mfaLocked(until: Timestamp, now: Timestamp) -> Problem {
        let seconds = max(1, Int((until.microseconds - now.microseconds + 999_999) / 1_000_000))
        var problem = Problem(
            status: .tooManyRequests, type: AuthTypes.mfaLocked, title: "Second factor locked",
            detail: "too many wrong codes in a row; the second factor accepts codes again after \(until.rfc3339)",
            extensions: ["locked_until": .string(until.rfc3339)])
        problem.retryAfter = seconds
        return problem
    }

    /// 403: sensitive change from a session whose last login, step-up or re-authentication is older than `window`
    /// seconds. `max_age` and `reauthenticate` (the endpoint) tell the client what to do.
    static func reauthenticationRequired(window: Int64) -> Problem {
        Problem(
            status: .forbidden, type: AuthTypes.reauthenticationRequired, title: "Re-authentication required",
            detail: "this change needs a login or re-authentication within the last \(window) seconds; POST /v1/session/reauthenticate and retry",
            extensions: ["max_age": .int(Int(window)), "reauthenticate": .string("/v1/session/reauthenticate")])
    }

    /// 403: sensitive change without fresh `aal2`. `required_aal`, `max_age` (seconds) and `step_up` (the endpoint)
    /// tell the client what to do.
    static func stepUpRequired(maxAge: Int64) -> Problem {
        Problem(
            status: .forbidden, type: AuthTypes.stepUpRequired, title: "Step-up required",
            detail: "this change needs a second factor within the last \(maxAge / 60) minutes; POST /v1/mfa/step-up and retry",
            extensions: ["required_aal": .string("aal2"), "max_age": .int(Int(maxAge)), "step_up": .string("/v1/mfa/step-up")])
    }

    /// A wrong second factor (`status` 401 at login and step-up, 400 when confirming an enrollment).
    static func invalidCode(status: HTTPResponse.Status) -> Problem {
        Problem(status: status, type: AuthTypes.invalidCode, title: "Invalid code", detail: "the code is wrong, expired or was already used")
    }

    /// 401 for an unusable `mfa_token`.
    static let mfaChallengeInvalid = Problem(
        status: .unauthorized, type: AuthTypes.mfaChallengeInvalid, title: "MFA challenge invalid",
        detail: "the mfa_token is unknown, used, expired or out of attempts; log in again")

    /// 400 for an unusable recovery token.
    static let invalidRecoveryToken = Problem(
        status: .badRequest, type: AuthTypes.invalidRecoveryToken, title: "Invalid recovery token",
        detail: "the recovery token is unknown, used, cancelled or expired")

    /// 409 before the end of the waiting period: `not_before` (RFC 3339) and `retry_after` (seconds, also a header).
    static func recoveryWaiting(notBefore: Timestamp, now: Timestamp) -> Problem {
        let seconds = max(1, Int((notBefore.microseconds - now.microseconds + 999_999) / 1_000_000))
        var problem = Problem(
            status: .conflict, type: AuthTypes.recoveryWaiting, title: "Recovery waiting period",
            detail: "the recovery can be completed from \(notBefore.rfc3339) (in \(seconds) s) unless it is cancelled",
            extensions: ["not_before": .string(notBefore.rfc3339)])
        problem.retryAfter = seconds
        return problem
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
        case .mfaAlreadyEnabled:
            Problem(
                status: .conflict, type: Problem.AuthTypes.mfaState, title: "MFA already enabled",
                detail: "two-factor authentication is already enabled; disable it first")
        case .mfaNotEnabled:
            Problem(
                status: .conflict, type: Problem.AuthTypes.mfaState, title: "MFA not enabled",
                detail: "two-factor authentication is not enabled for this account")
        case .noPendingEnrollment:
            Problem(
                status: .conflict, type: Problem.AuthTypes.mfaState, title: "No pending enrollment",
                detail: "no TOTP enrollment is pending (it expired or was replaced); POST /v1/mfa/totp/enroll again")
        case .accountLocked:
            // The same answer as a wrong password: a lock is not revealed to whoever tries the account.
            .invalidCredentials
        case .emailNotVerified:
            .emailNotVerified
        }
    }
}

extension EventStoreError: ProblemConvertible {
    /// A full writer queue or a closing store is 503 with `Retry-After` (the request did nothing); so is a shared log
    /// (the PostgreSQL engine) that cannot be reached or that this node refuses to write to; anything else is a server
    /// fault.
    public var problem: Problem {
        switch self {
        case .overloaded, .closed: .overloaded(retryAfter: 1)
        case .unavailable, .diverged: .storeUnavailable(retryAfter: 2)
        default: .internalError()
        }
    }
}

/// OTP failures (a URI, code computation, QR code or backup code that cannot be made) are answered as 400 problems with
/// the description, never a 500. (The account name can no longer make the URI fail: it is percent-encoded, and the
/// issuer is checked at start.)
extension OTPError: ProblemConvertible {
    public var problem: Problem { .otpUnavailable(description) }
}

extension QRCodeError: ProblemConvertible {
    public var problem: Problem { .otpUnavailable(description) }
}

extension Base32Error: ProblemConvertible {
    public var problem: Problem { .otpUnavailable(description) }
}

extension BackupCodeError: ProblemConvertible {
    public var problem: Problem { .otpUnavailable(description, title: "Backup code unusable") }
}

extension Problem {
    /// 400 `otp-unavailable` with the OTP error's description.
    static func otpUnavailable(_ detail: String, title: String = "Authenticator setup impossible") -> Problem {
        Problem(status: .badRequest, type: AuthTypes.otpUnavailable, title: title, detail: detail)
    }
}

// SecretBoxError is deliberately not mapped: a sealed seed that does not open means the data key or the log is not
// what it should be (a server fault, logged as a 500), never something about the request.
