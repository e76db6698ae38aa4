import EventLog

/// The one place that reads a user's current address and finds a user by address inside a command's transaction:
/// the account lifecycle's commands go through it, so how the address is stored is decided here. Addresses are
/// stored only sealed under the user's key and found by their keyed hash (``PersonalDataVault``); read-side code
/// uses ``Queries/user(email:)`` and ``Queries/FoundUser/email``, which open them.
public enum UserEmail {
    /// The user whose address has the keyed hash `hash` (``PersonalDataVault/emailHash(_:)``), or `nil`.
    public static func user(hash: [UInt8], in state: ProjectionState) throws -> String? {
        try state.table(UsersProjection(), "by_email").get(hash).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The user whose current address is the normalised `email`, found through its keyed hash, or `nil`.
    public static func user(named email: String, in context: CommandContext) throws -> String? {
        try user(hash: try PersonalDataVault.required(in: context).emailHash(email), in: context.state)
    }

    /// The record of `userID` (its address sealed and hashed), or `nil` if there is no such user.
    public static func record(of userID: String, in state: ProjectionState) throws -> UserRecord? {
        try state.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of(userID))
    }

    /// Whether the current address of `userID` is verified.
    public static func isVerified(_ userID: String, in state: ProjectionState) throws -> Bool {
        try state.table(AccountsProjection(), "verified").get(Key.of(userID)) != nil
    }
}
