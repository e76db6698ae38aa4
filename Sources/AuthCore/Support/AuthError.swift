/// Why a command refused to act. The HTTP layer maps each case to a problem response.
public enum AuthError: Error, Sendable, Equatable {
    /// The email is already registered.
    case emailTaken
    /// The user does not exist.
    case unknownUser
    /// The session does not exist, is not the caller's, or has ended.
    case sessionNotFound
    /// The stored password hash changed since it was verified (a concurrent change): try again.
    case passwordChangedConcurrently
    /// The credential id is already registered (for any user).
    case credentialTaken
    /// The passkey does not exist or is not the caller's.
    case passkeyNotFound
    /// TOTP is already enabled (disable it first).
    case mfaAlreadyEnabled
    /// The user has no second factor enabled.
    case mfaNotEnabled
    /// No TOTP enrollment is pending (never started, expired, or replaced).
    case noPendingEnrollment
    /// The account is locked by an administrator (answered as a wrong password is).
    case accountLocked
    /// Login needs a verified email (`--require-verified-email`) and the account's address is not verified; decided
    /// only after the credential was checked.
    case emailNotVerified
}
