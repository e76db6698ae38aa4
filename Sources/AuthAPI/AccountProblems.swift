import AuthHTTP
import Hummingbird

/// The account lifecycle's problem types (verification, password reset, email change).
extension Problem {
    /// Problem type URIs of the account lifecycle.
    public enum AccountTypes {
        /// A verification, reset or email-change link is unknown, used, superseded or expired.
        public static let invalidLink = "urn:authd:problem:invalid-link"
        /// Login refused until the account's email is verified (`--require-verified-email`).
        public static let emailNotVerified = "urn:authd:problem:email-not-verified"
        /// The account has a second factor: a password reset needs `code` or `backup_code` too.
        public static let mfaRequired = "urn:authd:problem:mfa-required"
    }

    /// 400 for an unusable account link (the same for every reason).
    static let invalidLink = Problem(
        status: .badRequest, type: AccountTypes.invalidLink, title: "Invalid link",
        detail: "the link is unknown, used, replaced by a newer one or expired; ask for a new one")

    /// 403 after a right password when `--require-verified-email` is on and the address is not verified.
    static let emailNotVerified = Problem(
        status: .forbidden, type: AccountTypes.emailNotVerified, title: "Email not verified",
        detail: "verify your email address with the link we sent (POST /v1/email/verification sends a new one)")

    /// 403 for a password reset of an account with a second factor, given none.
    static let mfaRequired = Problem(
        status: .forbidden, type: AccountTypes.mfaRequired, title: "Second factor required",
        detail: "this account has a second factor: give 'code' (TOTP) or 'backup_code' with the new password")
}
