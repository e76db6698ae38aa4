import EventLog

/// The account lifecycle's state: `links` (``AccountLinkRecord`` by SHA-256 of a link's token: what it is for,
/// whose, until when, refusals so far), `by_user` (`user id ‖ 0x00 ‖ purpose` → the token hash of the user's one
/// live link of that purpose: a newer link supersedes the older) and `verified` (user id → empty: the current
/// address is verified). A link is removed when used, superseded, used up by refusals, or when the account's
/// address changes or the account is deleted; expired links stay until then (``AccountLinkRecord/isUsable(at:)``).
public struct AccountsProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "accounts"
    public let version = 1
    public let tables = ["links", "by_user", "verified"]
    public var eventTypes: Set<String>? {
        [
            EmailVerificationSent.type, EmailVerified.type, PasswordResetRequested.type, PasswordResetRefused.type,
            PasswordResetCompleted.type, EmailChangeRequested.type, EmailChanged.type, UserDeleted.type,
        ]
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        switch event.type {
        case EmailVerificationSent.type:
            let e = try EmailVerificationSent(event)
            try issue(AccountLinkRecord(purpose: .verifyEmail, userID: e.userID, expiresAt: e.expiresAt), e.tokenHash, state)
        case EmailVerified.type:
            let e = try EmailVerified(event)
            try remove(.verifyEmail, of: e.userID, state)
            try state.table(self, "verified").put(Key.of(e.userID), [UInt8]())
        case PasswordResetRequested.type:
            let e = try PasswordResetRequested(event)
            try issue(AccountLinkRecord(purpose: .resetPassword, userID: e.userID, expiresAt: e.expiresAt), e.tokenHash, state)
        case PasswordResetRefused.type:
            let e = try PasswordResetRefused(event)
            guard let hash = try state.table(self, "by_user").get(Self.userKey(e.userID, .resetPassword)),
                var link = try state.table(self, "links").record(AccountLinkRecord.self, hash)
            else { return }
            link.refusals += 1
            if link.refusals >= PasswordResetRefused.maxRefusals {
                try remove(.resetPassword, of: e.userID, state)
            } else {
                try state.table(self, "links").put(hash, record: link)
            }
        case PasswordResetCompleted.type:
            try remove(.resetPassword, of: try PasswordResetCompleted(event).userID, state)
        case EmailChangeRequested.type:
            let e = try EmailChangeRequested(event)
            try issue(
                AccountLinkRecord(
                    purpose: .changeEmail, userID: e.userID, emailHash: e.emailHash, sealedEmail: e.sealedEmail, expiresAt: e.expiresAt), e.tokenHash, state)
        case EmailChanged.type:
            // Links mailed to the old address die with it; the new address is verified (the link proved it).
            let e = try EmailChanged(event)
            for purpose in AccountLink.Purpose.allCases { try remove(purpose, of: e.userID, state) }
            try state.table(self, "verified").put(Key.of(e.userID), [UInt8]())
        case UserDeleted.type:
            let e = try UserDeleted(event)
            for purpose in AccountLink.Purpose.allCases { try remove(purpose, of: e.userID, state) }
            _ = try state.table(self, "verified").delete(Key.of(e.userID))
        default:
            break
        }
    }

    /// `user id ‖ 0x00 ‖ purpose`.
    static func userKey(_ userID: String, _ purpose: AccountLink.Purpose) -> [UInt8] { Key.pair(userID, purpose.rawValue) }

    /// Stores a new link, superseding the user's previous one of the same purpose.
    private func issue(_ link: AccountLinkRecord, _ tokenHash: [UInt8], _ state: ProjectionState) throws {
        try remove(link.purpose, of: link.userID, state)
        try state.table(self, "links").put(tokenHash, record: link)
        try state.table(self, "by_user").put(Self.userKey(link.userID, link.purpose), tokenHash)
    }

    /// Removes the user's live link of `purpose`, if any.
    private func remove(_ purpose: AccountLink.Purpose, of userID: String, _ state: ProjectionState) throws {
        let byUser = state.table(self, "by_user")
        let key = Self.userKey(userID, purpose)
        guard let hash = try byUser.get(key) else { return }
        _ = try state.table(self, "links").delete(hash)
        _ = try byUser.delete(key)
    }
}
