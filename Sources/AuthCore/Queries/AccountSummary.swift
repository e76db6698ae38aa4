import AuthCrypto
import EventLog

/// The account as its holder sees it (`GET /v1/me`, the head of an export).
public struct AccountSummary: Sendable, Equatable {
    public var userID: String
    public var email: String
    public var emailVerified: Bool
    public var createdAt: Timestamp
    /// TOTP is on (it brings backup codes).
    public var totpEnabled: Bool
    /// Unused backup codes.
    public var backupCodesRemaining: Int
    /// Registered passkeys.
    public var passkeys: Int

    /// The summary as a JSON object (the export's `account`, and the body of `GET /v1/me`).
    public var json: String {
        "{\"user_id\":\(JSONString.quoted(userID)),\"email\":\(JSONString.quoted(email)),\"email_verified\":\(emailVerified),"
            + "\"created_at\":\(JSONString.quoted(createdAt.rfc3339)),"
            + "\"mfa\":{\"totp_enabled\":\(totpEnabled),\"backup_codes_remaining\":\(backupCodesRemaining)},\"passkeys\":\(passkeys)}"
    }
}

extension Queries {
    /// The account of `userID`, or `nil` if there is no such user.
    public func account(_ userID: String) throws -> AccountSummary? {
        guard let user = try user(id: userID) else { return nil }
        let email = user.email
        let mfa = try mfa(ofUser: userID)
        return AccountSummary(
            userID: userID, email: email, emailVerified: try UserEmail.isVerified(userID, in: context.state),
            createdAt: user.record.createdAt, totpEnabled: mfa?.isEnabled ?? false,
            backupCodesRemaining: mfa?.isEnabled == true ? mfa?.backupCodesRemaining ?? 0 : 0, passkeys: try passkeys(ofUser: userID).count)
    }
}

extension Queries {
    /// Whether the current address of `userID` is verified.
    public func isEmailVerified(_ userID: String) throws -> Bool {
        try UserEmail.isVerified(userID, in: context.state)
    }

    /// The live account link whose token hashes to `tokenHash`, if it is for `purpose` and unexpired at `now` (the
    /// cheap check before slow work; the command decides again in the transaction).
    public func accountLink(_ tokenHash: [UInt8], for purpose: AccountLink.Purpose, at now: Timestamp) throws -> AccountLinkRecord? {
        guard let link = try context.state.table(AccountsProjection(), "links").record(AccountLinkRecord.self, tokenHash),
            link.purpose == purpose, link.isUsable(at: now)
        else { return nil }
        return link
    }
}
