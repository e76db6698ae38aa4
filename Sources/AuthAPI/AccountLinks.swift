import AuthCore
import AuthCrypto
import EventLog

extension AuthService {
    /// A fresh link token for `purpose` and `userID`, valid `lifetime` seconds, as the log keeps it: its SHA-256, and
    /// the token sealed under the data key for the notifier (which mails the link), bound to purpose and user. The
    /// token itself is never stored nor returned. The work is the same whether or not `userID` names an account.
    func newAccountLink(_ purpose: AccountLink.Purpose, userID: String, lifetime: Int) throws -> NewAccountLink {
        let token = OpaqueToken.generate()
        let raw = Encoding.fromBase64URL(token.text) ?? []
        let sealed = try mfaBox.seal(raw, associatedData: AccountLink.associatedData(purpose: purpose, userID: userID))
        return NewAccountLink(tokenHash: token.hash, sealedToken: sealed, expiresAt: clock.now().adding(seconds: Int64(lifetime)))
    }

    /// Takes one request from the account-mail buckets: per client address, and per address named (the same for
    /// addresses with and without an account; a refusal records no user).
    func consumeAccountMail(email: String, context: some RequestMetadataContext) async throws {
        try await consume(accountMailPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        try await consume(accountMailPerEmail, key: "mail:" + email, scope: "account", userID: nil, context: context)
    }
}
