import EventLog

extension Queries {
    /// What a presented refresh token needs before its rotation is queued, read in one snapshot: nil if no token
    /// with this hash was ever issued (the cheap check that keeps unknown tokens away from the writer); else
    /// `request` with its client IP and user agent sealed under the key of the family's user
    /// (``PersonalDataVault/presealed(_:userID:in:)``), which the writer adopts instead of sealing them itself.
    public func refreshPresentation(hash: [UInt8], request: RequestInfo) throws -> RequestInfo? {
        guard let token = try context.state.table(RefreshProjection(), "tokens").record(RefreshTokenRecord.self, hash) else {
            return nil
        }
        guard let vault, let family = try family(token.familyID) else { return request }
        return try vault.presealed(request, userID: family.userID, in: context)
    }
}
