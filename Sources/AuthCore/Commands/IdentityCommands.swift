import EventLog

/// Links an external identity to a logged-in user who asked for it (`identity.linked`, via `explicit`).
public struct LinkIdentity: Command {
    /// What the link came to.
    public enum Outcome: Sendable, Equatable {
        /// Linked now.
        case linked
        /// It was already linked to this user (nothing recorded).
        case alreadyLinked
        /// It is linked to another user (nothing recorded).
        case linkedElsewhere
    }

    public var userID: String
    public var identityID: String
    public var identity: ExternalIdentity
    public var request: RequestInfo

    public init(userID: String, identityID: String, identity: ExternalIdentity, request: RequestInfo) {
        self.userID = userID
        self.identityID = identityID
        self.identity = identity
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard try context.state.table(UsersProjection(), "by_id").get(Key.of(userID)) != nil else { throw AuthError.unknownUser }
        if let existing = try IdentitiesProjection.identity(issuer: identity.issuer, subject: identity.subject, in: context.state) {
            return existing.record.userID == userID ? .alreadyLinked : .linkedElsewhere
        }
        try context.emit(
            IdentityLinked(
                identityID: identityID, userID: userID, provider: identity.provider, issuer: identity.issuer, subject: identity.subject,
                email: identity.email, emailVerified: identity.emailVerified, via: "explicit"),
            actor: .user(userID), request: request)
        return .linked
    }
}

/// Unlinks one of the user's external identities (`identity.unlinked`), unless it is the last way the user can log
/// in: no password they know (an account created by an external login), no passkey, no other identity.
public struct UnlinkIdentity: Command {
    /// What the unlink came to.
    public enum Outcome: Sendable, Equatable {
        case unlinked
        /// No such identity of this user.
        case notFound
        /// It is the user's last way to log in (nothing recorded).
        case lastLoginMethod
    }

    public var userID: String
    public var identityID: String
    public var request: RequestInfo

    public init(userID: String, identityID: String, request: RequestInfo) {
        self.userID = userID
        self.identityID = identityID
        self.request = request
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let found = try IdentitiesProjection.identity(id: identityID, in: context.state), found.record.userID == userID else {
            return .notFound
        }
        let hasPassword = try context.state.table(IdentitiesProjection(), "no_password").get(Key.of(userID)) == nil
        var passkeyPrefix = Key.of(userID)
        passkeyPrefix.append(0)
        let hasPasskey = try !context.state.table(PasskeysProjection(), "by_user").entries(prefix: passkeyPrefix).isEmpty
        let others = try ExternalLogin.identities(ofUser: userID, in: context.state).filter { $0.id != identityID }
        guard hasPassword || hasPasskey || !others.isEmpty else { return .lastLoginMethod }
        try context.emit(
            IdentityUnlinked(identityID: identityID, userID: userID, provider: found.record.provider), actor: .user(userID), request: request)
        return .unlinked
    }
}

extension Queries {
    /// The external identities linked to `userID`, oldest first.
    public func identities(ofUser userID: String) throws -> [FoundIdentity] {
        try opened(ExternalLogin.identities(ofUser: userID, in: context.state))
    }

    /// `identities` with their provider email opened with their user's key (``PersonalDataVault/erased`` once it
    /// is destroyed).
    public func opened(_ identities: [FoundIdentity]) throws -> [FoundIdentity] {
        try identities.map { identity in
            var identity = identity
            if let email = identity.record.email, PersonalDataVault.isSealed(email) {
                let key = try keyState(userID: identity.record.userID)
                identity.record.email = PersonalDataVault.reveal(email, field: .email, userID: identity.record.userID, key: key)
            }
            return identity
        }
    }
}
