import EventLog

/// Users by id and by normalised email. A rebuild folds `user.registered` in place
/// (`UsersProjection+FastFold.swift`).
public struct UsersProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "users"
    public let version = 1
    public let tables = ["by_id", "by_email"]
    public var eventTypes: Set<String>? { [UserRegistered.type, PasswordChanged.type, PasswordRehashed.type] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case UserRegistered.type:
            let e = try UserRegistered(event)
            try byID.put(Key.of(e.userID), record: UserRecord(email: e.email, passwordHash: e.passwordHash, createdAt: event.timestamp))
            try state.table(self, "by_email").put(Key.of(e.email), Key.of(e.userID))
        case PasswordChanged.type:
            let e = try PasswordChanged(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case PasswordRehashed.type:
            let e = try PasswordRehashed(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        default:
            break
        }
    }

    private func updatePassword(_ byID: ProjectionTable, _ userID: String, _ hash: String) throws {
        guard var user = try byID.record(UserRecord.self, Key.of(userID)) else { return }
        user.passwordHash = hash
        try byID.put(Key.of(userID), record: user)
    }
}
