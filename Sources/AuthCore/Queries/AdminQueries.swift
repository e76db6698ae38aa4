import EventLog

extension Queries {
    /// A page of users in email order: those whose email contains `query` (all when empty), after the email
    /// `cursor`, at most `limit`; and the cursor of the next page, if there is one.
    public func users(matching query: String, after cursor: String?, limit: Int) throws -> (users: [FoundUser], next: String?) {
        var found: [FoundUser] = []
        var next: String?
        let needle = query.lowercased()
        let byEmail = context.state.table(UsersProjection(), "by_email")
        // The first email after the cursor: the cursor followed by a zero byte.
        let start = cursor.map { Key.of($0) + [0] } ?? []
        try context.scan(byEmail, from: start) { key, value in
            let email = String(decoding: key, as: UTF8.self)
            guard needle.isEmpty || email.contains(needle) else { return true }
            if found.count == limit {
                next = found.last?.record.email
                return false
            }
            if let user = try user(id: String(decoding: value, as: UTF8.self)) { found.append(user) }
            return true
        }
        return (found, next)
    }

    /// The lock of `userID`, if locked.
    public func lock(ofUser userID: String) throws -> LockRecord? {
        try context.state.table(UserLocksProjection(), "by_user").record(LockRecord.self, Key.of(userID))
    }
}
