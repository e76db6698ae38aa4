import EventLog

/// Public signing keys by kid, and which one is current.
public struct SigningKeysProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "keys"
    public let version = 1
    public let tables = ["by_kid", "current"]
    public var eventTypes: Set<String>? { [SigningKeyRotated.type] }

    /// The key of the single entry in `current`.
    public static let currentKey = Key.of("current")

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        guard event.type == SigningKeyRotated.type else { return }
        let e = try SigningKeyRotated(event)
        try state.table(self, "by_kid").put(
            Key.of(e.kid), record: SigningKeyRecord(algorithm: e.algorithm, publicKey: e.publicKey, createdAt: event.timestamp))
        try state.table(self, "current").put(Self.currentKey, Key.of(e.kid))
    }
}

/// The domain's projections, in the order they are applied.
public enum DomainProjections {
    /// Every projection of the auth domain (the ``StreamIndex`` is added by the store itself).
    public static let all: [any Projection] = [
        UsersProjection(), SessionsProjection(), RefreshProjection(), SigningKeysProjection(), PasskeysProjection(), MFAProjection(),
        SessionAuthProjection(),
        AccountsProjection(),
        IdentitiesProjection(),
        // Authorization
        AuthzProjection(), UserLocksProjection(),
    ]
}
