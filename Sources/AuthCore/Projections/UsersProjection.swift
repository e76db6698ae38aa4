import EventLog

/// Users by id and by the keyed hash of their email (``PersonalDataVault/emailHash(_:)``). Records hold the address
/// only sealed under the user's key, copied from the events as they are: folding needs no key. An email change moves
/// the `by_email` entry; a deletion removes both rows (so the address can register again).
///
/// Users registered before sealing (`user.registered` v1/v2) are kept under their plaintext address until their
/// `user.personal_data_sealed` event (``SealExistingUsers``) replaces it with the hash and the sealed form.
/// A rebuild folds the current `user.registered` in place (`UsersProjection+FastFold.swift`).
public struct UsersProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "users"
    public let version = 2
    public let tables = ["by_id", "by_email"]
    public var eventTypes: Set<String>? {
        [
            UserRegistered.type, PasswordChanged.type, PasswordRehashed.type, UserPersonalDataSealed.type,
            PasswordResetCompleted.type, EmailChanged.type, UserDeleted.type,
        ]
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case UserRegistered.type:
            let e = try UserRegistered(event)
            try register(
                userID: Key.of(e.userID),
                UserRecord(emailHash: e.emailHash, sealedEmail: e.sealedEmail, passwordHash: e.passwordHash, createdAt: event.timestamp),
                byID: byID, state: state)
        case PasswordChanged.type:
            let e = try PasswordChanged(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case PasswordRehashed.type:
            let e = try PasswordRehashed(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case UserPersonalDataSealed.type:
            let e = try UserPersonalDataSealed(event)
            try replaceEmail(userID: e.userID, emailHash: e.emailHash, sealedEmail: e.sealedEmail, byID: byID, state: state)
        case PasswordResetCompleted.type:
            let e = try PasswordResetCompleted(event)
            try updatePassword(byID, e.userID, e.passwordHash)
        case EmailChanged.type:
            let e = try EmailChanged(event)
            try replaceEmail(userID: e.userID, emailHash: e.emailHash, sealedEmail: e.sealedEmail, byID: byID, state: state)
        case UserDeleted.type:
            let e = try UserDeleted(event)
            guard let user = try byID.record(UserRecord.self, Key.of(e.userID)) else { return }
            _ = try state.table(self, "by_email").delete(user.emailHash)
            _ = try byID.delete(Key.of(e.userID))
        default:
            break
        }
    }

    /// Stores a registered user by id and by email hash.
    private func register(userID: some TableBytes, _ record: UserRecord, byID: ProjectionTable, state: ProjectionState) throws {
        try byID.put(userID, record: record)
        try state.table(self, "by_email").put(record.emailHash, userID)
    }

    /// Moves the user's `by_email` entry to `emailHash` and stores the new sealed address.
    func replaceEmail(userID: String, emailHash: [UInt8], sealedEmail: [UInt8], byID: ProjectionTable, state: ProjectionState) throws {
        guard var user = try byID.record(UserRecord.self, Key.of(userID)) else { return }
        let byEmail = state.table(self, "by_email")
        try byEmail.delete(user.emailHash)
        user.emailHash = emailHash
        user.sealedEmail = sealedEmail
        try byID.put(Key.of(userID), record: user)
        try byEmail.put(emailHash, Key.of(userID))
    }

    private func updatePassword(_ byID: ProjectionTable, _ userID: String, _ hash: String) throws {
        guard var user = try byID.record(UserRecord.self, Key.of(userID)) else { return }
        user.passwordHash = hash
        try byID.put(Key.of(userID), record: user)
    }
}
