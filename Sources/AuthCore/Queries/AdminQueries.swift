import EventLog

extension Queries {
    /// A page of users in user-id order: those whose address (opened with their key: addresses are stored only
    /// sealed, so this scans users, an administrator's query) contains `query` (all when empty), after the user id
    /// `cursor`, at most `limit`; and the cursor of the next page, if there is one.
    public func users(matching query: String, after cursor: String?, limit: Int) throws -> (users: [FoundUser], next: String?) {
        var found: [FoundUser] = []
        var next: String?
        let needle = query.lowercased()
        let byID = context.state.table(UsersProjection(), "by_id")
        // The first id after the cursor: the cursor followed by a zero byte.
        let start = cursor.map { Key.of($0) + [0] } ?? []
        try context.scan(byID, from: start) { key, _ in
            guard let user = try user(id: String(decoding: key, as: UTF8.self)) else { return true }
            guard needle.isEmpty || user.email.contains(needle) else { return true }
            if found.count == limit {
                next = found.last?.id
                return false
            }
            found.append(user)
            return true
        }
        return (found, next)
    }

    /// The lock of `userID`, if locked.
    public func lock(ofUser userID: String) throws -> LockRecord? {
        try context.state.table(UserLocksProjection(), "by_user").record(LockRecord.self, Key.of(userID))
    }
}
