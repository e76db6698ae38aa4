import EventLog

/// The one place that reads a user's current address and finds a user by address (in a read snapshot or inside a
/// command's transaction): the account lifecycle's commands, queries, the notifier's recipients and the export all go
/// through it, so how the address is stored is decided here.
public enum UserEmail {
    /// The current (normalised) address of `userID`, or `nil` if there is no such user.
    public static func current(of userID: String, in state: ProjectionState) throws -> String? {
        try state.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of(userID)).map(address(of:))
    }

    /// The address a user record holds.
    public static func address(of record: UserRecord) -> String { record.email }

    /// The user whose current address is the normalised `email`, or `nil`.
    public static func user(named email: String, in state: ProjectionState) throws -> String? {
        try state.table(UsersProjection(), "by_email").get(Key.of(email)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the current address of `userID` is verified.
    public static func isVerified(_ userID: String, in state: ProjectionState) throws -> Bool {
        try state.table(AccountsProjection(), "verified").get(Key.of(userID)) != nil
    }

    /// The address the log last recorded for `userID` before `seq` (`user.registered`, `email.changed`), for mail about
    /// an account whose rows are gone (its deletion).
    public static func lastRecorded(of userID: String, before seq: UInt64, in context: ReadContext) throws -> String? {
        for eventSeq in try context.seqs(in: StreamRef(.user, userID)).reversed() where eventSeq < seq {
            guard let event = try context.event(eventSeq) else { continue }
            switch event.type {
            case UserRegistered.type: return try UserRegistered(event).email
            case EmailChanged.type: return try EmailChanged(event).email
            default: continue
            }
        }
        return nil
    }
}
