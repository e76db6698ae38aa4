import EventLog

/// A live single-use account link (``AccountLink``), stored by the SHA-256 of its token in `accounts/links`.
public struct AccountLinkRecord: MapRecord {
    /// What the link is for.
    public var purpose: AccountLink.Purpose
    /// Whose it is.
    public var userID: String
    /// The keyed hash of the address it was sent to, for an email change (the new address).
    public var emailHash: [UInt8]?
    /// That address, sealed under the user's key (``PersonalDataVault``).
    public var sealedEmail: [UInt8]?
    /// The link is dead from this time.
    public var expiresAt: Timestamp
    /// Refused completions so far (password reset: ``PasswordResetRefused/maxRefusals`` use the link up).
    public var refusals: Int64

    public init(
        purpose: AccountLink.Purpose, userID: String, emailHash: [UInt8]? = nil, sealedEmail: [UInt8]? = nil, expiresAt: Timestamp,
        refusals: Int64 = 0
    ) {
        self.purpose = purpose
        self.userID = userID
        self.emailHash = emailHash
        self.sealedEmail = sealedEmail
        self.expiresAt = expiresAt
        self.refusals = refusals
    }

    /// Whether it can still be used at `now`.
    public func isUsable(at now: Timestamp) -> Bool { now < expiresAt }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("purpose", purpose.rawValue)
        writer.add("user_id", userID)
        if let emailHash { writer.add("email_hash", bytes: emailHash) }
        if let sealedEmail { writer.add("email", bytes: sealedEmail) }
        writer.add("expires_at", expiresAt.microseconds)
        writer.add("refusals", refusals)
    }

    public init(fields: PayloadReader) throws {
        guard let purpose = AccountLink.Purpose(rawValue: try fields.string("purpose")) else {
            throw EventDecodingError.malformed("unknown account link purpose")
        }
        self.purpose = purpose
        userID = try fields.string("user_id")
        emailHash = try fields.optionalBytes("email_hash")
        sealedEmail = try fields.optionalBytes("email")
        expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
        refusals = try fields.int("refusals")
    }
}
