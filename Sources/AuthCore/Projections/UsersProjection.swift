import EventLog

/// Users by id and by normalised email. An email change moves the `by_email` entry; a deletion removes both rows
/// (so the address can register again).
public struct UsersProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "users"
    public let version = 1
    public let tables = ["by_id", "by_email"]
    public var eventTypes: Set<String>? { [
            UserRegistered.type, PasswordChanged.type, PasswordRehashed.type,
            PasswordResetCompleted.type, EmailChanged.type, UserDeleted.type,
        ] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case UserRegistered.type where event.version == UserRegistered.version:
            // The current version's fields in place (older ones are upcast below).
            try UserRegistered.withFieldsInPlace(event) { fields in
                try register(
                    userID: try fields.text("user_id"), email: try fields.text("email"), passwordHash: try fields.text("password_hash"),
                    at: event.timestamp, byID: byID, state: state)
            }
        case UserRegistered.type:
            let e = try UserRegistered(event)
            try register(
                userID: Key.of(e.userID), email: Key.of(e.email), passwordHash: Array(e.passwordHash.utf8), at: event.timestamp,
                byID: byID, state: state)
        case PasswordChanged.type:
            let e = try PasswordChanged(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case PasswordRehashed.type:
            let e = try PasswordRehashed(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case PasswordResetCompleted.type:
            let e = try PasswordResetCompleted(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case EmailChanged.type:
            let e = try EmailChanged(event)
            guard var user = try byID.record(UserRecord.self, Key.of(e.userID)) else { return }
            let byEmail = state.table(self, "by_email")
            _ = try byEmail.delete(Key.of(user.email))
            user.email = e.email
            try byID.put(Key.of(e.userID), record: user)
            try byEmail.put(Key.of(e.email), Key.of(e.userID))
        case UserDeleted.type:
            let e = try UserDeleted(event)
            guard let user = try byID.record(UserRecord.self, Key.of(e.userID)) else { return }
            _ = try state.table(self, "by_email").delete(Key.of(user.email))
            _ = try byID.delete(Key.of(e.userID))
        default:
            break
        }
    }

    /// Stores a registered user (text as UTF-8 bytes) by id and by email.
    private func register<Bytes: TableBytes & Collection<UInt8>>(
        userID: Bytes, email: Bytes, passwordHash: Bytes, at createdAt: Timestamp, byID: ProjectionTable, state: ProjectionState
    ) throws {
        try byID.put(userID, UserRecord.encode(email: email, passwordHash: passwordHash, createdAt: createdAt))
        try state.table(self, "by_email").put(email, userID)
    }

    private func updatePassword(_ byID: ProjectionTable, _ userID: String, _ hash: String) throws {
        guard var user = try byID.record(UserRecord.self, Key.of(userID)) else { return }
        user.passwordHash = hash
        try byID.put(Key.of(userID), record: user)
    }
}
