/// Who caused an event.
public struct Actor: Sendable, Hashable, Codable {
    /// The kind of actor.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// An end user acting on their own account (or trying to).
        case user
        /// An operator or an app using the admin key.
        case admin
        /// The server itself (expiry sweeps, key rotation, rebuilds).
        case system
    }

    /// The kind of actor.
    public var kind: Kind
    /// The actor's id (a user id for users, a key name for admins), if known.
    public var id: String?

    /// Creates an actor.
    public init(kind: Kind, id: String? = nil) {
        self.kind = kind
        self.id = id
    }

    /// The server itself.
    public static let system = Actor(kind: .system)
    /// An anonymous end user (not yet authenticated).
    public static let anonymous = Actor(kind: .user)
    /// A known user.
    public static func user(_ id: String) -> Actor { Actor(kind: .user, id: id) }
}

/// The request an event came from: what forensics needs to tell a legitimate client from a thief.
public struct RequestInfo: Sendable, Hashable, Codable {
    /// The request id (also sent back in `X-Request-Id`).
    public var requestID: String?
    /// The client IP address as seen by the server.
    public var clientIP: String?
    /// The client's `User-Agent`, truncated.
    public var userAgent: String?
    /// The personal fields already sealed by the caller (off the writer), if it did; never stored as such.
    public var presealed: PresealedRequest?

    /// Creates request information.
    public init(requestID: String? = nil, clientIP: String? = nil, userAgent: String? = nil) {
        self.requestID = requestID
        self.clientIP = clientIP
        self.userAgent = userAgent
    }

    /// No request (system events).
    public static let none = RequestInfo()
}
