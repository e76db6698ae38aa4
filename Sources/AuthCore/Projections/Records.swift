import EventLog

/// A projection record stored as a CBOR map (the same codec as event payloads).
public protocol Record: Sendable, Equatable {
    /// Writes the record's fields.
    func encode(to writer: inout PayloadWriter)
    /// Reads the record's fields.
    init(fields: PayloadReader) throws
}

extension Record {
    /// The stored bytes.
    public var bytes: [UInt8] {
        var writer = PayloadWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes stored bytes.
    public init(bytes: [UInt8]) throws { try self.init(fields: try PayloadReader(bytes)) }
}

extension ProjectionTable {
    /// The record under `key`, decoded.
    public func record<R: Record>(_ type: R.Type, _ key: [UInt8]) throws -> R? {
        try get(key).map { try R(bytes: $0) }
    }

    /// Stores `record` under `key`.
    public func put(_ key: [UInt8], record: some Record) throws { try put(key, record.bytes) }
}

/// Key helpers.
public enum Key {
    /// UTF-8 bytes of a string key.
    @inline(__always)
    public static func of(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `a || 0x00 || b`: a composite key whose prefix `a || 0x00` lists all `b`.
    public static func pair(_ a: String, _ b: String) -> [UInt8] {
        var key = Array(a.utf8)
        key.append(0)
        key.append(contentsOf: b.utf8)
        return key
    }
}

/// A user.
public struct UserRecord: Record {
    public var email: String
    public var passwordHash: String
    public var createdAt: Timestamp

    public init(email: String, passwordHash: String, createdAt: Timestamp) {
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("email", email)
        writer.add("password_hash", passwordHash)
        writer.add("created_at", createdAt.microseconds)
    }

    public init(fields: PayloadReader) throws {
        email = try fields.string("email")
        passwordHash = try fields.string("password_hash")
        createdAt = Timestamp(microseconds: try fields.int("created_at"))
    }
}

/// An active session.
public struct SessionRecord: Record {
    public var userID: String
    public var tokenHash: [UInt8]
    public var aal: String
    public var mode: String
    public var createdAt: Timestamp
    public var lastSeenAt: Timestamp
    public var expiresAt: Timestamp
    public var idleTimeout: Int64
    public var clientIP: String?
    public var userAgent: String?
    public var familyID: String?
    /// When the session last obtained `aal2` (login with a second factor, or step-up); `nil` for `aal1`.
    public var aal2At: Timestamp?

    public init(
        userID: String, tokenHash: [UInt8], aal: String, mode: String, createdAt: Timestamp, lastSeenAt: Timestamp,
        expiresAt: Timestamp, idleTimeout: Int64, clientIP: String?, userAgent: String?, familyID: String?, aal2At: Timestamp? = nil
    ) {
        self.userID = userID
        self.tokenHash = tokenHash
        self.aal = aal
        self.mode = mode
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.idleTimeout = idleTimeout
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.familyID = familyID
        self.aal2At = aal2At
    }

    /// Whether the session holds `aal2` obtained less than `maxAge` seconds before `now`.
    public func hasRecentAAL2(at now: Timestamp, maxAge: Int64) -> Bool {
        guard aal == "aal2", let aal2At else { return false }
        return now < aal2At.adding(seconds: maxAge)
    }

    /// When the session ends if it is not seen again.
    public var idleExpiresAt: Timestamp { lastSeenAt.adding(seconds: idleTimeout) }

    /// Whether the session is usable at `now`.
    public func isActive(at now: Timestamp) -> Bool { now < expiresAt && now < idleExpiresAt }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("user_id", userID)
        writer.add("token_hash", bytes: tokenHash)
        writer.add("aal", aal)
        writer.add("mode", mode)
        writer.add("created_at", createdAt.microseconds)
        writer.add("last_seen_at", lastSeenAt.microseconds)
        writer.add("expires_at", expiresAt.microseconds)
        writer.add("idle_timeout", idleTimeout)
        writer.add("ip", clientIP)
        writer.add("user_agent", userAgent)
        writer.add("family_id", familyID)
        writer.add("aal2_at", aal2At?.microseconds)
    }

    public init(fields: PayloadReader) throws {
        userID = try fields.string("user_id")
        tokenHash = try fields.bytes("token_hash")
        aal = try fields.string("aal")
        mode = try fields.string("mode")
        createdAt = Timestamp(microseconds: try fields.int("created_at"))
        lastSeenAt = Timestamp(microseconds: try fields.int("last_seen_at"))
        expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
        idleTimeout = try fields.int("idle_timeout")
        clientIP = try fields.optionalString("ip")
        userAgent = try fields.optionalString("user_agent")
        familyID = try fields.optionalString("family_id")
        aal2At = try fields.optionalInt("aal2_at").map(Timestamp.init(microseconds:))
    }
}

/// A refresh-token family.
public struct FamilyRecord: Record {
    public var sessionID: String
    public var userID: String
    public var currentHash: [UInt8]
    public var expiresAt: Timestamp
    public var revokedReason: String?

    public init(sessionID: String, userID: String, currentHash: [UInt8], expiresAt: Timestamp, revokedReason: String?) {
        self.sessionID = sessionID
        self.userID = userID
        self.currentHash = currentHash
        self.expiresAt = expiresAt
        self.revokedReason = revokedReason
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("session_id", sessionID)
        writer.add("user_id", userID)
        writer.add("current_hash", bytes: currentHash)
        writer.add("expires_at", expiresAt.microseconds)
        writer.add("revoked_reason", revokedReason)
    }

    public init(fields: PayloadReader) throws {
        sessionID = try fields.string("session_id")
        userID = try fields.string("user_id")
        currentHash = try fields.bytes("current_hash")
        expiresAt = Timestamp(microseconds: try fields.int("expires_at"))
        revokedReason = try fields.optionalString("revoked_reason")
    }
}

/// One refresh token (by hash).
public struct RefreshTokenRecord: Record {
    public var familyID: String
    /// Set once the token was exchanged.
    public var usedAt: Timestamp?
    /// Seq of the rotation that used it.
    public var usedSeq: UInt64?

    public init(familyID: String, usedAt: Timestamp?, usedSeq: UInt64?) {
        self.familyID = familyID
        self.usedAt = usedAt
        self.usedSeq = usedSeq
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("family_id", familyID)
        writer.add("used_at", usedAt?.microseconds)
        if let usedSeq { writer.add("used_seq", usedSeq) }
    }

    public init(fields: PayloadReader) throws {
        familyID = try fields.string("family_id")
        usedAt = try fields.optionalInt("used_at").map(Timestamp.init(microseconds:))
        usedSeq = fields.has("used_seq") ? try fields.uint("used_seq") : nil
    }
}

/// A signing key's public half.
public struct SigningKeyRecord: Record {
    public var algorithm: String
    public var publicKey: [UInt8]
    public var createdAt: Timestamp

    public init(algorithm: String, publicKey: [UInt8], createdAt: Timestamp) {
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.createdAt = createdAt
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("algorithm", algorithm)
        writer.add("public_key", bytes: publicKey)
        writer.add("created_at", createdAt.microseconds)
    }

    public init(fields: PayloadReader) throws {
        algorithm = try fields.string("algorithm")
        publicKey = try fields.bytes("public_key")
        createdAt = Timestamp(microseconds: try fields.int("created_at"))
    }
}
