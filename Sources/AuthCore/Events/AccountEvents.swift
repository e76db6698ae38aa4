import EventLog

/// The kinds of single-use account links (email verification, password reset, email change): each is a random
/// token of 256 bits, recorded as its SHA-256 (the lookup) and sealed under the server data key for the notifier to
/// mail (bound by ``AccountLink/associatedData(purpose:userID:)`` to its purpose and user).
public enum AccountLink {
    /// What a link is for.
    public enum Purpose: String, Sendable, CaseIterable {
        case verifyEmail = "verify_email"
        case resetPassword = "reset_password"
        case changeEmail = "change_email"

        /// The fragment parameter of the link (`{issuer}/#<name>=TOKEN`).
        public var fragment: String {
            switch self {
            case .verifyEmail: "verify-email"
            case .resetPassword: "reset-password"
            case .changeEmail: "confirm-email"
            }
        }
    }

    /// The associated data that binds a sealed link token to its purpose and user.
    public static func associatedData(purpose: Purpose, userID: String) -> [UInt8] {
        Array("account-link:\(purpose.rawValue):\(userID)".utf8)
    }
}

/// A verification link was mailed to the user's address (at registration or on request). A newer one supersedes it.
public struct EmailVerificationSent: DomainEvent {
    public static let type = "email.verification_sent"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The address the link was sent to (the user's current), sealed under the user's key as the users projection
    /// holds it (``PersonalDataVault``).
    public var sealedEmail: [UInt8]
    /// SHA-256 of the link's token.
    public var tokenHash: [UInt8]
    /// The token sealed under the server data key (``AccountLink``), for the notifier to deliver.
    public var sealedToken: [UInt8]
    /// The link is dead after this time.
    public var expiresAt: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("email", \.sealedEmail),
        .bytes("token_hash", \.tokenHash),
        .bytes("sealed_token", \.sealedToken),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = EmailVerificationSent(
        userID: UserRegistered.example.userID, sealedEmail: UserRegistered.example.sealedEmail, tokenHash: [UInt8](repeating: 0xA1, count: 32),
        sealedToken: [UInt8](repeating: 0x44, count: 60), expiresAt: Timestamp(seconds: 1_770_076_800))
}

/// The user proved control of the address by a verification link.
public struct EmailVerified: DomainEvent {
    public static let type = "email.verified"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The address verified, sealed under the user's key as the users projection holds it.
    public var sealedEmail: [UInt8]

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("email", \.sealedEmail),
    ]

    public static let example = EmailVerified(userID: UserRegistered.example.userID, sealedEmail: UserRegistered.example.sealedEmail)
}

/// A password-reset link was mailed to the user's address; it supersedes any earlier reset link.
public struct PasswordResetRequested: DomainEvent {
    public static let type = "password.reset_requested"
    public static let version = 1
    /// The user.
    public var userID: String
    /// SHA-256 of the link's token.
    public var tokenHash: [UInt8]
    /// The token sealed under the server data key (``AccountLink``), for the notifier to deliver.
    public var sealedToken: [UInt8]
    /// The link is dead after this time.
    public var expiresAt: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("token_hash", \.tokenHash),
        .bytes("sealed_token", \.sealedToken),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = PasswordResetRequested(
        userID: UserRegistered.example.userID, tokenHash: [UInt8](repeating: 0xB2, count: 32),
        sealedToken: [UInt8](repeating: 0x55, count: 60), expiresAt: Timestamp(seconds: 1_769_905_800))
}

/// A completion of the current reset link was refused (`mfa_required`, `bad_factor`, `mfa_locked`,
/// `password_policy`); the link stays usable until ``PasswordResetRefused/maxRefusals`` refusals.
public struct PasswordResetRefused: DomainEvent {
    public static let type = "password.reset_refused"
    public static let version = 1
    /// Refusals that use up a reset link.
    public static let maxRefusals: Int64 = 5
    /// The user.
    public var userID: String
    /// Why.
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("reason", \.reason),
    ]

    public static let example = PasswordResetRefused(userID: UserRegistered.example.userID, reason: "mfa_required")
}

/// The password was set through a reset link (every session and refresh family is revoked by separate events).
public struct PasswordResetCompleted: DomainEvent {
    public static let type = "password.reset_completed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The new argon2id encoding.
    public var passwordHash: String
    /// The second factor that confirmed the reset (`totp`, `backup_code`), or `nil` for a user without one.
    public var secondFactor: String?

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("password_hash", \.passwordHash),
        .optionalText("second_factor", \.secondFactor),
    ]

    public static let example = PasswordResetCompleted(
        userID: UserRegistered.example.userID, passwordHash: UserRegistered.example.passwordHash, secondFactor: "totp")
}

/// The user asked to change their address: a confirmation link was mailed to the new one (and a notice to the old).
public struct EmailChangeRequested: DomainEvent {
    public static let type = "email.change_requested"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The keyed hash of the new (normalised) address (``PersonalDataVault/emailHash(_:)``).
    public var emailHash: [UInt8]
    /// The new address sealed under the user's key.
    public var sealedEmail: [UInt8]
    /// SHA-256 of the link's token.
    public var tokenHash: [UInt8]
    /// The token sealed under the server data key (``AccountLink``), for the notifier to deliver.
    public var sealedToken: [UInt8]
    /// The link is dead after this time.
    public var expiresAt: Timestamp

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("email_hash", \.emailHash),
        .bytes("email", \.sealedEmail),
        .bytes("token_hash", \.tokenHash),
        .bytes("sealed_token", \.sealedToken),
        .timestamp("expires_at", \.expiresAt),
    ]

    public static let example = EmailChangeRequested(
        userID: UserRegistered.example.userID, emailHash: [UInt8](repeating: 0x5B, count: 32),
        sealedEmail: [UInt8](repeating: 0xB5, count: 12 + 24 + 16), tokenHash: [UInt8](repeating: 0xC3, count: 32),
        sealedToken: [UInt8](repeating: 0x66, count: 60), expiresAt: Timestamp(seconds: 1_770_076_800))
}

/// The user's address changed (confirmed by the link sent to the new one, so it is verified); the old one no longer
/// names the account.
public struct EmailChanged: DomainEvent {
    public static let type = "email.changed"
    public static let version = 1
    /// The user.
    public var userID: String
    /// The keyed hash of the new (normalised) address.
    public var emailHash: [UInt8]
    /// The new address sealed under the user's key.
    public var sealedEmail: [UInt8]

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .bytes("email_hash", \.emailHash),
        .bytes("email", \.sealedEmail),
    ]

    public static let example = EmailChanged(
        userID: UserRegistered.example.userID, emailHash: EmailChangeRequested.example.emailHash,
        sealedEmail: EmailChangeRequested.example.sealedEmail)
}

/// The account was deleted, by its holder or an operator (`reason`); its sessions and families were revoked by
/// earlier events of the same command. Its projection rows are gone; its address can register again.
public struct UserDeleted: DomainEvent {
    public static let type = "user.deleted"
    public static let version = 1
    /// The user.
    public var userID: String
    /// Why (`user` when the holder deleted the account, else the operator's text).
    public var reason: String

    public var streams: [StreamRef] { [StreamRef(.user, userID)] }

    public static let payloadFields: [PayloadField<Self>] = [
        .text("user_id", \.userID),
        .text("reason", \.reason),
    ]

    public static let example = UserDeleted(userID: UserRegistered.example.userID, reason: "user")
}
