import AuthCrypto
import EventLog

/// External identities linked to users (``IdentityLinked``, ``IdentityUnlinked``):
/// `by_id`: identity id → ``IdentityRecord``; `by_subject`: SHA-256 of `issuer || 0 || subject` → identity id (an
/// issuer URL and a subject can outgrow an LMDB key);
/// `by_user`: user id → the ids of the user's identities (an ``IDList``); `no_password`: user id → empty for a user
/// created by an external login (its password is a random one nobody knows) until the password is changed.
///
/// v2: `user.deleted` removes the user's links (all four tables), so a later login through the same external
/// account finds no user (it links by verified email or signs up, as for a new identity); `by_user` holds one list
/// per user (v1: one key per link) so that the deletion finds them with one read.
public struct IdentitiesProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "identities"
    public let version = 2
    public let tables = ["by_id", "by_subject", "by_user", "no_password"]
    public var eventTypes: Set<String>? { [IdentityLinked.type, IdentityUnlinked.type, PasswordChanged.type, UserDeleted.type] }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case IdentityLinked.type:
            let e = try IdentityLinked(event)
            let record = IdentityRecord(
                userID: e.userID, provider: e.provider, issuer: e.issuer, subject: e.subject, email: e.email,
                emailVerified: e.emailVerified, linkedAt: event.timestamp)
            try byID.put(Key.of(e.identityID), record: record)
            try state.table(self, "by_subject").put(Self.subjectKey(e.issuer, e.subject), Key.of(e.identityID))
            try IDList.add(e.identityID, in: state.table(self, "by_user"), Key.of(e.userID))
            if e.via == "signup" { try state.table(self, "no_password").put(Key.of(e.userID), []) }
        case IdentityUnlinked.type:
            let e = try IdentityUnlinked(event)
            guard let record = try byID.record(IdentityRecord.self, Key.of(e.identityID)) else { return }
            try byID.delete(Key.of(e.identityID))
            try state.table(self, "by_subject").delete(Self.subjectKey(record.issuer, record.subject))
            try IDList.remove(e.identityID, in: state.table(self, "by_user"), Key.of(e.userID))
        case PasswordChanged.type:
            let e = try PasswordChanged(event)
            try state.table(self, "no_password").delete(Key.of(e.userID))
        case UserDeleted.type:
            let userID = try UserDeleted(event).userID
            let byUser = state.table(self, "by_user")
            for identityID in try IDList.ids(in: byUser, Key.of(userID)) {
                // An id linked again to another user since (generated logs) is that user's now.
                if let record = try byID.record(IdentityRecord.self, Key.of(identityID)), record.userID == userID {
                    try state.table(self, "by_subject").delete(Self.subjectKey(record.issuer, record.subject))
                    _ = try byID.delete(Key.of(identityID))
                }
            }
            _ = try byUser.delete(Key.of(userID))
            _ = try state.table(self, "no_password").delete(Key.of(userID))
        default:
            break
        }
    }
}

/// A linked external identity.
public struct IdentityRecord: MapRecord {
    public var userID: String
    public var provider: String
    public var issuer: String
    public var subject: String
    public var email: String?
    public var emailVerified: Bool
    public var linkedAt: Timestamp

    public init(
        userID: String, provider: String, issuer: String, subject: String, email: String?, emailVerified: Bool, linkedAt: Timestamp
    ) {
        self.userID = userID
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.linkedAt = linkedAt
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("user_id", userID)
        writer.add("provider", provider)
        writer.add("issuer", issuer)
        writer.add("subject", subject)
        writer.add("email", email)
        writer.add("email_verified", emailVerified)
        writer.add("linked_at", linkedAt.microseconds)
    }

    public init(fields: PayloadReader) throws {
        userID = try fields.string("user_id")
        provider = try fields.string("provider")
        issuer = try fields.string("issuer")
        subject = try fields.string("subject")
        email = try fields.optionalString("email")
        emailVerified = try fields.bool("email_verified")
        linkedAt = Timestamp(microseconds: try fields.int("linked_at"))
    }
}

/// A linked identity with its id.
public struct FoundIdentity: Sendable, Equatable {
    public var id: String
    public var record: IdentityRecord

    public init(id: String, record: IdentityRecord) {
        self.id = id
        self.record = record
    }
}

extension IdentitiesProjection {
    /// The `by_subject` key: SHA-256 of `issuer || 0 || subject`.
    static func subjectKey(_ issuer: String, _ subject: String) -> [UInt8] {
        SHA256.hash(Key.pair(issuer, subject))
    }

    /// The identity linked for `(issuer, subject)`, read in a command or a query.
    static func identity(issuer: String, subject: String, in state: ProjectionState) throws -> FoundIdentity? {
        guard let id = try state.table(IdentitiesProjection(), "by_subject").get(subjectKey(issuer, subject)) else { return nil }
        let identityID = String(decoding: id, as: UTF8.self)
        return try identity(id: identityID, in: state)
    }

    /// The identity `identityID`.
    static func identity(id identityID: String, in state: ProjectionState) throws -> FoundIdentity? {
        try state.table(IdentitiesProjection(), "by_id").record(IdentityRecord.self, Key.of(identityID))
            .map { FoundIdentity(id: identityID, record: $0) }
    }
}
