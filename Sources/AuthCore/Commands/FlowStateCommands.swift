import EventLog

/// Short-lived ceremony and flow state (WebAuthn challenges today; MFA tokens and OAuth flow state can join as new
/// kinds): single-use entries that expire, kept in one side table of the store (``FlowState/tableName``), **not**
/// in the log (they are not facts about users). Every write is a command (``IssueFlowState``, ``ConsumeFlowState``)
/// run by the log's single writer, so it is batched and durable like everything else.
///
/// Table layout (unchanged from the challenge store it replaces): key = the entry's random key (for a WebAuthn
/// challenge, the 32 challenge bytes); value = kind (1 byte) || expiry (8 bytes, big-endian microseconds) ||
/// payload (for a challenge, the user id's UTF-8 bytes, possibly empty).
public enum FlowState {
    /// The side table's name.
    public static let tableName = "challenges"
    /// Expired entries removed per issue, at most (bounds the work of one write); at most four times as many entries
    /// are looked at.
    public static let pruneBatch = 64

    /// What an entry is for: the ceremony or flow that may consume it.
    public struct Kind: RawRepresentable, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// A WebAuthn registration challenge (bound to the user it was issued to).
        public static let passkeyRegistration = Kind(rawValue: 1)
        /// A WebAuthn login challenge (bound to the user an email named, if any).
        public static let passkeyAuthentication = Kind(rawValue: 2)
        /// A WebAuthn re-authentication challenge of a logged-in user (bound to that user).
        public static let passkeyReauthentication = Kind(rawValue: 3)

        /// The state of an OAuth 2.0 / OpenID Connect login or link flow (key: SHA-256 of the `state` parameter).
        public static let oauthFlow = Kind(rawValue: 4)
        /// A login code of a token-mode external login (key: SHA-256 of the code; payload: ``LoginCodePayload``).
        public static let oauthLoginCode = Kind(rawValue: 5)
    }

    /// Opens the table (at setup).
    public static func table(in store: EventStore) throws -> SideTable {
        try store.sideTable(tableName)
    }

    static func encode(kind: Kind, expiry: Timestamp, payload: [UInt8]) -> [UInt8] {
        var value: [UInt8] = [kind.rawValue]
        for shift in stride(from: 56, through: 0, by: -8) { value.append(UInt8(truncatingIfNeeded: expiry.microseconds >> Int64(shift))) }
        value.append(contentsOf: payload)
        return value
    }

    static func decode(_ value: [UInt8]) -> (kind: Kind, expiry: Timestamp, payload: [UInt8])? {
        guard value.count >= 9 else { return nil }
        var expiry: Int64 = 0
        for byte in value[1..<9] { expiry = expiry << 8 | Int64(byte) }
        return (Kind(rawValue: value[0]), Timestamp(microseconds: expiry), Array(value[9...]))
    }
}

/// Records a new flow-state entry under `key` (the caller's random bytes), expiring `lifetime` seconds from now;
/// first removes up to ``FlowState/pruneBatch`` expired entries. Returns the expiry.
public struct IssueFlowState: Command {
    public var table: SideTable
    public var key: [UInt8]
    public var kind: FlowState.Kind
    public var payload: [UInt8]
    /// Seconds the entry stays valid.
    public var lifetime: Int64

    public init(table: SideTable, key: [UInt8], kind: FlowState.Kind, payload: [UInt8], lifetime: Int64) {
        self.table = table
        self.key = key
        self.kind = kind
        self.payload = payload
        self.lifetime = lifetime
    }

    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Timestamp {
        var expired: [[UInt8]] = []
        var visited = 0
        let now = context.now
        try context.forEach(table) { key, value in
            visited += 1
            if let decoded = FlowState.decode(value), decoded.expiry <= now { expired.append(key) }
            return expired.count < FlowState.pruneBatch && visited < 4 * FlowState.pruneBatch
        }
        for key in expired { try context.delete(table, key: key) }
        let expiry = now.adding(seconds: lifetime)
        try context.put(table, key: key, value: FlowState.encode(kind: kind, expiry: expiry, payload: payload))
        return expiry
    }
}

/// Takes the entry `key` out of the table (single use: it is removed whatever the outcome) and says whether it
/// was usable for `kind`.
public struct ConsumeFlowState: Command {
    /// What the entry came to.
    public enum Outcome: Sendable, Equatable {
        /// Usable: its payload.
        case consumed(payload: [UInt8])
        /// Not there (never issued, or used before) or unreadable.
        case unknown
        /// Expired.
        case expired
        /// Issued for another kind of flow.
        case otherKind
    }

    public var table: SideTable
    public var key: [UInt8]
    public var kind: FlowState.Kind

    public init(table: SideTable, key: [UInt8], kind: FlowState.Kind) {
        self.table = table
        self.key = key
        self.kind = kind
    }

    public func run(_ context: inout CommandContext) throws -> Outcome {
        guard let stored = try context.get(table, key: key) else { return .unknown }
        try context.delete(table, key: key)
        guard let decoded = FlowState.decode(stored) else { return .unknown }
        guard context.now < decoded.expiry else { return .expired }
        guard decoded.kind == kind else { return .otherKind }
        return .consumed(payload: decoded.payload)
    }
}
