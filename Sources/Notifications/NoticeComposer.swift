import AuthCore
import AuthCrypto
import EventLog
import Foundation
import OTP

/// Turns log events into notices for the account holder: MFA recovery requested (with the recovery token),
/// cancelled and completed; a login from a new device; refresh-token reuse. Every other event gives none.
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

    /// A composer; `dataKey` is the server data key that sealed the recovery tokens.
    public init(from: String, baseURL: String, dataKey: [UInt8]) throws {
        self.from = from
        self.baseURL = baseURL
        box = try SecretBox(key: dataKey)
    }

    /// The notice for `event`, or `nil` if it calls for none (or the user no longer exists).
    public func notice(for event: RecordedEvent, in context: ReadContext) throws -> MailMessage? {
        let queries = Queries(context)
        func mail(_ userID: String, _ subject: String, _ lines: [String]) throws -> MailMessage? {
            guard let user = try queries.user(id: userID) else { return nil }
            let body = lines.joined(separator: "\n") + "\n\n-- \nThis notice was sent automatically by authd (event #\(event.seq)).\n"
            return MailMessage(
                from: from, to: user.record.email, subject: subject, body: body, messageID: "notice-\(event.seq)@authd",
                date: Date(timeIntervalSince1970: Double(event.timestamp.microseconds) / 1_000_000))
        }
        let request = event.request
        let origin = "from \(request.clientIP ?? "an unknown address") (\(request.userAgent ?? "unknown browser"))"
        switch event.type {
        case MFARecoveryRequested.type:
            let e = try MFARecoveryRequested(event)
            let token = try box.open(e.sealedToken, associatedData: MFARecoveryRequested.sealedTokenAssociatedData(recoveryID: e.recoveryID))
            return try mail(
                e.userID, "Request to remove two-factor authentication",
                [
                    "Someone asked to remove two-factor authentication from your account at \(event.timestamp.rfc3339), \(origin).",
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
        default:
            return nil
        }
    }

    /// Whether `event` (a `login.succeeded`) comes from a user agent that none of the user's earlier successful logins
    /// used, and there was an earlier one.
    func isNewDevice(userID: String, before event: RecordedEvent, in context: ReadContext) throws -> Bool {
        let agent = event.request.userAgent ?? ""
        var earlierLogins = 0
        for seq in try context.seqs(in: StreamRef(.user, userID)).reversed().lazy.filter({ $0 < event.seq }).prefix(Self.deviceLookback) {
            guard let earlier = try context.event(seq), earlier.type == LoginSucceeded.type else { continue }
            if (earlier.request.userAgent ?? "") == agent { return false }
            earlierLogins += 1
        }
        return earlierLogins > 0
    }
}
