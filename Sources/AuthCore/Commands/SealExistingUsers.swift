import EventLog

/// The upgrade path of logs written before personal data was sealed: gives each user registered by a
/// `user.registered` v1/v2 event (whose address the `users` projection still holds in plaintext) a data key and
/// records `user.personal_data_sealed` (the address sealed under it and its keyed hash), at most `limit` users per
/// run. From then on the user's address is looked up by hash and the client IP and user agent of the user's new
/// events are sealed. The older events keep what they hold: the v1/v2 `user.registered` the plaintext address, and
/// every earlier event of the user's streams its client IP and user agent in plaintext (the log is append-only).
/// Returns how many users it sealed; run it until it returns 0 (``sealAll(store:)``).
public struct SealExistingUsers: Command {
    /// Most users sealed in one transaction.
    public var limit: Int

    /// A run sealing at most `limit` users.
    public init(limit: Int = 1_000) { self.limit = limit }

    public func run(_ context: inout CommandContext) throws -> Int {
        let vault = try PersonalDataVault.required(in: context)
        var pending: [(String, String)] = []
        for entry in try context.state.table(UsersProjection(), "by_id").entries(prefix: []) {
            let record = try UserRecord(bytes: entry.value)
            guard let email = record.plaintextEmail else { continue }
            pending.append((String(decoding: entry.key, as: UTF8.self), email))
            if pending.count == limit { break }
        }
        for (userID, email) in pending {
            let key: [UInt8]
            switch try vault.keyState(userID: userID, in: context) {
            case .key(let existing): key = existing
            case .none: key = try vault.createKey(userID: userID, in: context)
            case .destroyed: continue
            }
            try context.emit(
                UserPersonalDataSealed(
                    userID: userID, emailHash: vault.emailHash(email),
                    sealedEmail: try PersonalDataVault.seal(email, field: .email, userID: userID, key: key)),
                actor: .system, request: .none)
        }
        return pending.count
    }

    /// Seals every user not yet sealed, `limit` per transaction; returns how many.
    @discardableResult
    public static func sealAll(store: EventStore, limit: Int = 1_000) throws -> Int {
        var total = 0
        while true {
            let sealed = try store.runSync(SealExistingUsers(limit: limit))
            total += sealed
            if sealed < limit { return total }
        }
    }
}
