import AuthCore
import AuthCrypto
import EventLog
import Foundation
import OTP

/// Turns log events into notices for the account holder: MFA recovery requested (with the recovery token), reminded,
/// cancelled and completed; a login from a new device; refresh-token reuse; the second factor locked; and every
/// security-relevant change of the account (password changed, TOTP enabled or disabled, backup codes regenerated,
/// passkey added or deleted, password reset, email changed, an external account linked or unlinked); the account links
/// (email verification, password reset, email change: ``AccountLink``) with their tokens. Every other event gives none. The requester's user agent is quoted only after
/// ``sanitized(_:limit:)``: it is the attacker's text. A deleted account gets no mail: its address was sealed under
/// the user's key, which the deletion destroyed.
///
/// Composing is a pure function of the log (and the data key): the recipient is the user's email in the users
/// projection, the recovery token is unsealed from `mfa.recovery_requested`, and "new device" means no earlier
/// `login.succeeded` of the user (among their last ``deviceLookback`` events) came from the same user agent; the
/// first login after registration is not reported.
public struct NoticeComposer: Sendable {
    /// Earlier events of the user examined to decide whether a device is new.
    public static let deviceLookback = 1_000

    /// Sender address.
    public let from: String
    /// The server's public URL (the issuer), for links.
    public let baseURL: String
    let box: SecretBox
    /// Opens the users' addresses and the sealed request fields (``PersonalDataVault``).
    let vault: PersonalDataVault?

    /// A composer; `dataKey` is the server data key that sealed the recovery tokens, `vault` the store's
    /// personal-data vault that opens addresses, client IPs and user agents.
    public init(from: String, baseURL: String, dataKey: [UInt8], vault: PersonalDataVault?) throws {
        self.from = from
        self.baseURL = baseURL
        self.vault = vault
        box = try SecretBox(key: dataKey)
    }

    /// The mails for `event`: none, one, or for an email change request two (the link to the new address and a notice
    /// to the current one).
    public func notices(for event: RecordedEvent, in context: ReadContext) throws -> [MailMessage] {
        if event.type == EmailChangeRequested.type {
            let e = try EmailChangeRequested(event)
            // The new address opens with the user's key; a deleted user's (erased) gets no mail.
            guard let address = try Self.openedAddress(e.sealedEmail, userID: e.userID, Queries(context, vault: vault)) else { return [] }
            let link = try accountLinkMail(
                e.sealedToken, purpose: .changeEmail, userID: e.userID, to: address, expiresAt: e.expiresAt, event: event)
            return [link, try notice(for: event, in: context)].compactMap { $0 }
        }
        return [try notice(for: event, in: context)].compactMap { $0 }
    }

    /// The notice for `event` to the account's current address, or `nil` if it calls for none (or the user no longer
    /// exists). The mails of ``notices(for:in:)`` that go elsewhere (an email change's link) are not among these.
    public func notice(for event: RecordedEvent, in context: ReadContext) throws -> MailMessage? {
        let queries = Queries(context, vault: vault)
        func mail(_ userID: String, _ subject: String, _ lines: [String]) throws -> MailMessage? {
            // A deleted user's address is erased: no mail.
            guard let user = try queries.user(id: userID), Email.normalize(user.email) != nil else { return nil }
            let body = lines.joined(separator: "\n") + "\n\n-- \nThis notice was sent automatically by authd (event #\(event.seq)).\n"
            return MailMessage(
                from: from, to: user.email, subject: subject, body: body, messageID: "notice-\(event.seq)@authd",
                date: Date(timeIntervalSince1970: Double(event.timestamp.microseconds) / 1_000_000))
        }
        let request = try queries.request(of: event)
        let origin = "from \(Self.sanitized(request.clientIP ?? "an unknown address", limit: 64)) (\(Self.sanitized(request.userAgent ?? "unknown browser", limit: 120)))"
        func change(_ userID: String, _ subject: String, _ what: String) throws -> MailMessage? {
            try mail(
                userID, subject,
                [
                    "\(what) at \(event.timestamp.rfc3339), \(origin).",
                    "If this was not you, log in, change your password and end your other sessions; then check your second factor and passkeys.",
                ])
        }
        switch event.type {
        case MFARecoveryRequested.type:
            return try recoveryNotice(try MFARecoveryRequested(event), requested: event, origin: origin, reminder: false, mail: mail)
        case MFARecoveryReminded.type:
            let e = try MFARecoveryReminded(event)
            guard let (requested, original) = try recoveryRequest(e.recoveryID, userID: e.userID, before: event, in: context) else { return nil }
            return try recoveryNotice(requested, requested: original, origin: origin, reminder: true, mail: mail)
        case MFALocked.type:
            let e = try MFALocked(event)
            return try mail(
                e.userID, "Your second factor was locked",
                [
                    "Your password was used to log in, but the second factor failed \(e.failures) times in a row; the last attempt came \(origin).",
                    "Two-factor codes are refused until \(e.until.rfc3339).",
                    "If this was not you, somebody knows your password: change it now.",
                ])
        case PasswordChanged.type:
            return try change(try PasswordChanged(event).userID, "Your password was changed", "The password of your account was changed")
        case MFATOTPEnabled.type:
            return try change(
                try MFATOTPEnabled(event).userID, "Two-factor authentication turned on", "An authenticator app was added as the second factor of your account")
        case MFATOTPDisabled.type:
            let e = try MFATOTPDisabled(event)
            return try change(e.userID, "Two-factor authentication turned off", "Two-factor authentication was turned off for your account")
        case MFABackupCodesGenerated.type:
            let e = try MFABackupCodesGenerated(event)
            // The first set comes with enabling TOTP (one notice for both).
            guard try !isPartOfEnabling(event, userID: e.userID, in: context) else { return nil }
            return try change(e.userID, "New backup codes", "New backup codes were made for your account; the previous ones no longer work")
        case PasskeyRegistered.type:
            let e = try PasskeyRegistered(event)
            return try change(e.userID, "Passkey added", "A passkey (\(Self.sanitized(e.name, limit: 64))) was added to your account")
        case PasskeyDeleted.type:
            let e = try PasskeyDeleted(event)
            return try change(e.userID, "Passkey removed", "A passkey was removed from your account")
        case MFARecoveryCancelled.type:
            let e = try MFARecoveryCancelled(event)
            guard e.reason != "superseded" else { return nil }
            let why = switch e.reason {
            case "aal2_login": "a login with your second factor"
            case "step_up": "a confirmation with your second factor"
            case "mfa_disabled": "two-factor authentication being turned off"
            default: "your request"
            }
            return try mail(
                e.userID, "Two-factor recovery cancelled",
                ["The request to remove two-factor authentication from your account was cancelled by \(why), \(origin)."])
        case MFARecoveryCompleted.type:
            let e = try MFARecoveryCompleted(event)
            return try mail(
                e.userID, "Two-factor authentication removed",
                [
                    "Two-factor authentication was removed from your account by a recovery, \(origin), at \(event.timestamp.rfc3339).",
                    "Every session was ended. If this was not you, contact support immediately.",
                ])
        case EmailVerificationSent.type:
            let e = try EmailVerificationSent(event)
            // Only to the address the link was made for, if it is still the account's.
            guard let user = try queries.user(id: e.userID), user.record.sealedEmail == e.sealedEmail, Email.normalize(user.email) != nil
            else { return nil }
            return try accountLinkMail(
                e.sealedToken, purpose: .verifyEmail, userID: e.userID, to: user.email, expiresAt: e.expiresAt, event: event)
        case PasswordResetRequested.type:
            let e = try PasswordResetRequested(event)
            guard let user = try queries.user(id: e.userID), let email = Email.normalize(user.email) else { return nil }
            return try accountLinkMail(e.sealedToken, purpose: .resetPassword, userID: e.userID, to: email, expiresAt: e.expiresAt, event: event)
        case PasswordResetCompleted.type:
            return try mail(
                try PasswordResetCompleted(event).userID, "Your password was reset",
                [
                    "The password of your account was reset with a link sent to this address at \(event.timestamp.rfc3339), \(origin).",
                    "Every session was ended. If this was not you, reset your password again and check your mailbox's security.",
                ])
        case EmailChangeRequested.type:
            let e = try EmailChangeRequested(event)
            let address = try Self.openedAddress(e.sealedEmail, userID: e.userID, queries) ?? PersonalDataVault.erased
            return try mail(
                e.userID, "Request to change your email address",
                [
                    "Someone asked at \(event.timestamp.rfc3339), \(origin), to move your account to another email address",
                    "(\(Self.sanitized(address, limit: 254))). It changes only if the link sent to that address is used.",
                    "If this was not you, log in, change your password and end your other sessions.",
                ])
        case EmailChanged.type:
            let e = try EmailChanged(event)
            return try mail(
                e.userID, "Your email address was changed",
                ["The email address of your account is now this one, since \(event.timestamp.rfc3339) (confirmed \(origin))."])
        case LoginSucceeded.type:
            let e = try LoginSucceeded(event)
            guard try isNewDevice(userID: e.userID, before: event, in: context) else { return nil }
            return try mail(
                e.userID, "New login to your account",
                [
                    "Your account was used to log in from a new device at \(event.timestamp.rfc3339), \(origin), with \(e.method) (\(e.aal)).",
                    "If this was not you, change your password and end the session.",
                ])
        case RefreshReuseDetected.type:
            let e = try RefreshReuseDetected(event)
            return try mail(
                e.userID, "Suspicious use of your session",
                [
                    "A refresh token of one of your sessions was presented again after it had been used, \(origin), at \(event.timestamp.rfc3339).",
                    "This is how stolen tokens show up. The session was ended; log in again, and change your password if you did not expect this.",
                ])
        case IdentityLinked.type:
            let e = try IdentityLinked(event)
            // An account created by its first external login gets no notice for the link that created it.
            guard e.via != "signup" else { return nil }
            return try change(
                e.userID, "Account linked", "Your \(Self.sanitized(e.provider, limit: 32)) account was linked to your account: it can now log you in")
        case IdentityUnlinked.type:
            let e = try IdentityUnlinked(event)
            return try change(e.userID, "Account unlinked", "Your \(Self.sanitized(e.provider, limit: 32)) account was unlinked from your account")
        // Authorization: role changes and locks are told to the user they concern.
        case RoleGranted.type:
            let e = try RoleGranted(event)
            let until = e.expiresAt.map { " until \($0.rfc3339)" } ?? ""
            return try mail(
                e.userID, "A role was granted to your account",
                ["The role \(Self.sanitized(e.role, limit: 64)) was granted to your account\(until) at \(event.timestamp.rfc3339), \(origin)."])
        case RoleRevoked.type:
            let e = try RoleRevoked(event)
            return try mail(
                e.userID, "A role was removed from your account",
                ["The role \(Self.sanitized(e.role, limit: 64)) was removed from your account at \(event.timestamp.rfc3339), \(origin)."])
        case UserLocked.type:
            let e = try UserLocked(event)
            return try mail(
                e.userID, "Your account was locked",
                [
                    "An administrator locked your account at \(event.timestamp.rfc3339); every session was ended and logins are refused.",
                    "Contact support if you did not expect this.",
                ])
        case UserUnlocked.type:
            let e = try UserUnlocked(event)
            return try mail(e.userID, "Your account was unlocked", ["An administrator unlocked your account at \(event.timestamp.rfc3339); you can log in again."])
        default:
            return nil
        }
    }

    /// A mail carrying an account link (`{baseURL}/#<fragment>=TOKEN`) to `address`: the token unsealed from the event.
    func accountLinkMail(
        _ sealed: [UInt8], purpose: AccountLink.Purpose, userID: String, to address: String, expiresAt: Timestamp, event: RecordedEvent
    ) throws -> MailMessage {
        let token = Encoding.base64URL(try box.open(sealed, associatedData: AccountLink.associatedData(purpose: purpose, userID: userID)))
        let link = "\(baseURL)/#\(purpose.fragment)=\(token)"
        let (subject, opening, action): (String, String, String) = switch purpose {
        case .verifyEmail: ("Verify your email address", "Please confirm that this address belongs to your account.", "verify it")
        case .resetPassword:
            ("Reset your password", "Someone (hopefully you) asked to reset the password of the account of this address.", "choose a new password")
        case .changeEmail:
            ("Confirm your new email address", "Someone (hopefully you) asked to move their account to this address.", "confirm the change")
        }
        let body = [
            opening, "", "Open this link to \(action):", "", "    \(link)", "",
            "The link works once and expires at \(expiresAt.rfc3339). If you did not ask for it, ignore this mail.",
        ].joined(separator: "\n") + "\n\n-- \nSent automatically by authd (event #\(event.seq)).\n"
        return MailMessage(
            from: from, to: address, subject: subject, body: body, messageID: "link-\(event.seq)@authd",
            date: Date(timeIntervalSince1970: Double(event.timestamp.microseconds) / 1_000_000))
    }

    /// The notice of a recovery (`requested`, the `mfa.recovery_requested` event with its token sealed inside),
    /// first sent or sent again (`reminder`); `origin` describes the request that caused this notice.
    func recoveryNotice(
        _ e: MFARecoveryRequested, requested: RecordedEvent, origin: String, reminder: Bool,
        mail: (String, String, [String]) throws -> MailMessage?
    ) throws -> MailMessage? {
        let token = try box.open(e.sealedToken, associatedData: MFARecoveryRequested.sealedTokenAssociatedData(recoveryID: e.recoveryID))
        let opening = reminder
            ? "The request to remove two-factor authentication from your account, made at \(requested.timestamp.rfc3339), is still pending; it was asked for again \(origin)."
            : "Someone asked to remove two-factor authentication from your account at \(requested.timestamp.rfc3339), \(origin)."
        return try mail(
            e.userID, reminder ? "Reminder: request to remove two-factor authentication" : "Request to remove two-factor authentication",
            [
                opening,
                "",
                "If this was not you, log in with your second factor: that cancels the request. Nothing happens before",
                "\(e.notBefore.rfc3339).",
                "",
                "If it was you and you lost your second factor, after that time use this recovery token:",
                "",
                "    \(Encoding.base64URL(token))",
                "",
                "POST it as {\"token\": \"...\"} to \(baseURL)/v1/mfa/recovery/complete, or open",
                "\(baseURL)/#recovery=\(Encoding.base64URL(token))",
                "The token expires at \(e.expiresAt.rfc3339). Completing removes two-factor authentication and ends every session.",
            ])
    }

    /// The `mfa.recovery_requested` of recovery `recoveryID` (the user's latest before `event`), decoded and as recorded.
    func recoveryRequest(_ recoveryID: String, userID: String, before event: RecordedEvent, in context: ReadContext) throws
        -> (MFARecoveryRequested, RecordedEvent)?
    {
        for seq in try context.seqs(in: StreamRef(.user, userID)).reversed() where seq < event.seq {
            guard let earlier = try context.event(seq), earlier.type == MFARecoveryRequested.type else { continue }
            let requested = try MFARecoveryRequested(earlier)
            if requested.recoveryID == recoveryID { return (requested, earlier) }
        }
        return nil
    }

    /// Whether `event` (backup codes generated) came with enabling TOTP: the event just before it enabled TOTP for
    /// the same user.
    func isPartOfEnabling(_ event: RecordedEvent, userID: String, in context: ReadContext) throws -> Bool {
        guard event.seq > 1, let previous = try context.event(event.seq - 1), previous.type == MFATOTPEnabled.type else { return false }
        return try MFATOTPEnabled(previous).userID == userID
    }

    /// `text` fit to quote in a notice: control, format (bidi) and other invisible characters become spaces, runs
    /// of spaces one space, and the result is cut to `limit` characters (with an ellipsis). User agents and names
    /// are chosen by whoever sent the request.
    public static func sanitized(_ text: String, limit: Int) -> String {
        var out = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            let invisible: Bool = switch category {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned, .spaceSeparator: true
            default: false
            }
            if invisible {
                if !lastWasSpace && !out.isEmpty { out.append(" ") }
                lastWasSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        out = out.trimmingCharacters(in: .whitespaces)
        if out.count > limit { out = String(out.prefix(limit)) + "…" }
        return out.isEmpty ? "-" : out
    }

    /// Whether `event` (a `login.succeeded`) comes from a user agent that none of the user's earlier successful logins
    /// used, and there was an earlier one.
    func isNewDevice(userID: String, before event: RecordedEvent, in context: ReadContext) throws -> Bool {
        let queries = Queries(context, vault: vault)
        let agent = try queries.request(of: event).userAgent ?? ""
        var earlierLogins = 0
        for seq in try context.seqs(in: StreamRef(.user, userID)).reversed().lazy.filter({ $0 < event.seq }).prefix(Self.deviceLookback) {
            guard let earlier = try context.event(seq), earlier.type == LoginSucceeded.type else { continue }
            if (try queries.request(of: earlier).userAgent ?? "") == agent { return false }
            earlierLogins += 1
        }
        return earlierLogins > 0
    }

    /// An address sealed under the key of `userID` (``PersonalDataVault``), opened; `nil` once erased or without keys.
    static func openedAddress(_ sealed: [UInt8], userID: String, _ queries: Queries) throws -> String? {
        guard case .key(let key)? = try queries.keyState(userID: userID) else { return nil }
        return PersonalDataVault.open(sealed, field: .email, userID: userID, key: key).flatMap(Email.normalize)
    }
}
