import EventLog

/// When each active session last proved its holder: `by_session` maps a session id to the time (8 bytes, big-endian
/// microseconds) of its login (`session.created`), its last step-up (`session.stepped_up`) or its last
/// re-authentication (`session.reauthenticated`), whichever came last. Sensitive changes (adding a passkey, TOTP,
/// backup codes, a new password) need this to be recent (``RecentAuthentication``). A rebuild folds
/// `session.created` and `session.revoked` in place (`SessionAuthProjection+FastFold.swift`).
public struct SessionAuthProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "session_auth"
    public let version = 1
    public let tables = ["by_session"]
    public var eventTypes: Set<String>? {
        [SessionCreated.type, SessionSteppedUp.type, SessionReauthenticated.type, SessionRevoked.type]
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let table = state.table(self, "by_session")
        let at = Self.encode(event.timestamp)
        switch event.type {
        case SessionCreated.type:
            try table.put(Key.of(try SessionCreated(event).sessionID), at)
        case SessionSteppedUp.type:
            try table.put(Key.of(try SessionSteppedUp(event).sessionID), at)
        case SessionReauthenticated.type:
            try table.put(Key.of(try SessionReauthenticated(event).sessionID), at)
        case SessionRevoked.type:
            try table.delete(Key.of(try SessionRevoked(event).sessionID))
        default:
            break
        }
    }

    /// The stored form of a time: 8 bytes big-endian, as the log's own keys (``EventCodec/seqKey(_:)``).
    static func encode(_ time: Timestamp) -> [UInt8] {
        EventCodec.seqKey(UInt64(bitPattern: time.microseconds))
    }

    /// A stored time, or `nil` if malformed.
    static func decode(_ bytes: [UInt8]) -> Timestamp? {
        EventCodec.seq(fromKey: bytes).map { Timestamp(microseconds: Int64(bitPattern: $0)) }
    }
}
