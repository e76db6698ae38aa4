import EventLog

/// A projection record: a value of one of a projection's tables.
public protocol Record: Sendable, Equatable {
    /// The stored bytes.
    var bytes: [UInt8] { get }
    /// Decodes stored bytes.
    init(bytes: [UInt8]) throws
}

/// A projection record stored as a CBOR map (the same codec as event payloads): self-describing, for records that
/// are read and written rarely. The hot ones use a fixed binary layout (``BinaryRecordWriter``).
public protocol MapRecord: Record {
    /// Writes the record's fields.
    func encode(to writer: inout PayloadWriter)
    /// Reads the record's fields.
    init(fields: PayloadReader) throws
}

extension MapRecord {
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
    public func record<R: Record>(_ type: R.Type, _ key: some TableBytes) throws -> R? {
        try get(key).map { try R(bytes: $0) }
    }

    /// Stores `record` under `key`.
    public func put(_ key: some TableBytes, record: some Record) throws { try put(key, record.bytes) }
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

    /// `a || 0x00 || b` from UTF-8 bytes.
    static func pair(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(a.count + 1 + b.count)
        key.append(contentsOf: a)
        key.append(0)
        key.append(contentsOf: b)
        return key
    }
}

/// A user.
public struct UserRecord: MapRecord {
    /// The user's key in `users/by_email`: the keyed hash of the address (``PersonalDataVault/emailHash(_:)``),
    /// or, for a user registered before sealing and not yet migrated, the address's UTF-8 bytes.
    public var emailHash: [UInt8]
    /// The address sealed under the user's key (``PersonalDataVault``); empty for a user not yet migrated.
    public var sealedEmail: [UInt8]
    public var passwordHash: String
    public var createdAt: Timestamp

    public init(emailHash: [UInt8], sealedEmail: [UInt8], passwordHash: String, createdAt: Timestamp) {
        self.emailHash = emailHash
        self.sealedEmail = sealedEmail
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    /// The plaintext address of a user registered before sealing and not yet migrated; nil once sealed.
    public var plaintextEmail: String? { sealedEmail.isEmpty ? String(decoding: emailHash, as: UTF8.self) : nil }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("email_hash", bytes: emailHash)
        writer.add("email", bytes: sealedEmail)
        writer.add("password_hash", passwordHash)
        writer.add("created_at", createdAt.microseconds)
    }

    public init(fields: PayloadReader) throws {
        emailHash = try fields.bytes("email_hash")
        sealedEmail = try fields.bytes("email")
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

    /// The binary layout (v4 of the sessions projection): layout byte 1; `created_at`, `last_seen_at`,
    /// `expires_at`, `idle_timeout`, `aal2_at` (64-bit, at offsets 1, 9, 17, 25, 33); a flags byte (bit 0: `aal2_at`
    /// present); then the fields `token_hash`, `user_id`, `aal`, `mode`, `ip`, `user_agent`, `family_id`, in that
    /// order (`family_id` last, so that setting it appends to the record).
    static let layout: UInt8 = 1
    static let lastSeenOffset = 9
    static let fieldsOffset = 42

    /// Where a stored record's fields are.
    struct Fields {
        var tokenHash: Range<Int>
        var userID: Range<Int>
        var aal: Range<Int>
        var mode: Range<Int>
        var clientIP: Range<Int>?
        var userAgent: Range<Int>?
        var familyID: Range<Int>?
        var aal2At: Int64?
        var fixed: (createdAt: Int64, lastSeenAt: Int64, expiresAt: Int64, idleTimeout: Int64)

        init(_ stored: UnsafeRawBufferPointer) throws(EventDecodingError) {
            var reader = try BinaryRecordReader(stored, layout: SessionRecord.layout)
            fixed = (try reader.int64(), try reader.int64(), try reader.int64(), try reader.int64())
            let aal2At = try reader.int64()
            let flags = try reader.byte()
            self.aal2At = flags & 1 != 0 ? aal2At : nil
            tokenHash = try reader.requiredRange()
            userID = try reader.requiredRange()
            aal = try reader.requiredRange()
            mode = try reader.requiredRange()
            clientIP = try reader.fieldRange()
            userAgent = try reader.fieldRange()
            familyID = try reader.fieldRange()
            try reader.end()
        }
    }

    /// Encodes a record from its parts (text as UTF-8 bytes: slices of strings, or an event's bytes in place).
    static func encode<Bytes: Collection<UInt8>>(
        userID: Bytes, tokenHash: Bytes, aal: Bytes, mode: Bytes,
        createdAt: Timestamp, lastSeenAt: Timestamp, expiresAt: Timestamp, idleTimeout: Int64, clientIP: Bytes?,
        userAgent: Bytes?, familyID: Bytes?, aal2At: Timestamp?
    ) -> [UInt8] {
        var writer = BinaryRecordWriter(
            layout: layout,
            capacity: fieldsOffset + 28 + tokenHash.count + userID.count + aal.count + mode.count + (clientIP?.count ?? 0)
                + (userAgent?.count ?? 0) + (familyID?.count ?? 0))
        writer.int64(createdAt.microseconds)
        writer.int64(lastSeenAt.microseconds)
        writer.int64(expiresAt.microseconds)
        writer.int64(idleTimeout)
        writer.int64(aal2At?.microseconds ?? 0)
        writer.byte(aal2At == nil ? 0 : 1)
        writer.field(tokenHash)
        writer.field(userID)
        writer.field(aal)
        writer.field(mode)
        writer.field(clientIP)
        writer.field(userAgent)
        writer.field(familyID)
        return writer.bytes
    }

    /// The stored bytes.
    public var bytes: [UInt8] {
        Self.encode(
            userID: userID.utf8Slice, tokenHash: tokenHash[...], aal: aal.utf8Slice, mode: mode.utf8Slice, createdAt: createdAt,
            lastSeenAt: lastSeenAt, expiresAt: expiresAt, idleTimeout: idleTimeout, clientIP: clientIP?.utf8Slice,
            userAgent: userAgent?.utf8Slice, familyID: familyID?.utf8Slice, aal2At: aal2At)
    }

    /// Decodes stored bytes.
    public init(bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { stored throws(EventDecodingError) in
            let fields = try Fields(stored)
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: stored[range]), as: UTF8.self) }
            return SessionRecord(
                userID: text(fields.userID), tokenHash: [UInt8](UnsafeRawBufferPointer(rebasing: stored[fields.tokenHash])),
                aal: text(fields.aal), mode: text(fields.mode), createdAt: Timestamp(microseconds: fields.fixed.createdAt),
                lastSeenAt: Timestamp(microseconds: fields.fixed.lastSeenAt), expiresAt: Timestamp(microseconds: fields.fixed.expiresAt),
                idleTimeout: fields.fixed.idleTimeout, clientIP: fields.clientIP.map(text), userAgent: fields.userAgent.map(text),
                familyID: fields.familyID.map(text), aal2At: fields.aal2At.map(Timestamp.init(microseconds:)))
        }
    }
}

/// A refresh-token family.
public struct FamilyRecord: Record {
    public var sessionID: String
    public var userID: String
    public var currentHash: [UInt8]
    public var expiresAt: Timestamp
    /// The user's family started before this one, if any: the families of a user form a chain from the newest (the
    /// refresh projection's `by_user` entry), so that `user.deleted` removes them all with point lookups.
    public var previousFamilyID: String?
    public var revokedReason: String?

    public init(
        sessionID: String, userID: String, currentHash: [UInt8], expiresAt: Timestamp, previousFamilyID: String? = nil,
        revokedReason: String?
    ) {
        self.sessionID = sessionID
        self.userID = userID
        self.currentHash = currentHash
        self.expiresAt = expiresAt
        self.previousFamilyID = previousFamilyID
        self.revokedReason = revokedReason
    }

    /// The binary layout (v3 of the refresh projection): layout byte 2; `expires_at` (64-bit, offset 1); then the
    /// fields `current_hash` (at offset 9, so that a rotation patches it in place), `session_id`, `user_id`,
    /// `previous_family_id`, `revoked_reason`.
    static let layout: UInt8 = 2

    /// The stored bytes.
    public var bytes: [UInt8] {
        Self.encode(
            sessionID: sessionID.utf8Slice, userID: userID.utf8Slice, currentHash: currentHash[...], expiresAt: expiresAt,
            previousFamilyID: previousFamilyID?.utf8Slice, revokedReason: revokedReason?.utf8Slice)
    }

    /// `stored` with ``revokedReason`` set to `reason` (UTF-8): the field is the record's last, so the bytes before it
    /// are kept as they lie (no decoding into strings and back).
    static func settingRevokedReason(_ reason: some Collection<UInt8>, in stored: UnsafeRawBufferPointer) throws -> [UInt8] {
        var reader = try BinaryRecordReader(stored, layout: layout)
        _ = try reader.int64()
        for _ in 0..<3 { _ = try reader.requiredRange() }
        _ = try reader.fieldRange()
        let lastField = reader.position
        _ = try reader.fieldRange()
        try reader.end()
        return BinaryRecordWriter.replacingLastField(of: stored, from: lastField, layout: layout, with: reason)
    }

    /// Encodes a record from its parts (text as UTF-8 bytes).
    static func encode<Bytes: Collection<UInt8>, Previous: Collection<UInt8>>(
        sessionID: Bytes, userID: Bytes, currentHash: Bytes, expiresAt: Timestamp, previousFamilyID: Previous?, revokedReason: Bytes?
    ) -> [UInt8] {
        var writer = BinaryRecordWriter(
            layout: layout,
            capacity: 29 + sessionID.count + userID.count + currentHash.count + (previousFamilyID?.count ?? 0) + (revokedReason?.count ?? 0))
        writer.int64(expiresAt.microseconds)
        writer.field(currentHash)
        writer.field(sessionID)
        writer.field(userID)
        writer.field(previousFamilyID)
        writer.field(revokedReason)
        return writer.bytes
    }

    /// Decodes stored bytes.
    public init(bytes: [UInt8]) throws {
        self = try BinaryRecordReader.decode(bytes, layout: Self.layout) { reader throws(EventDecodingError) in
            let expiresAt = try reader.int64()
            let currentHash = try reader.byteArray()
            return FamilyRecord(
                sessionID: try reader.string(), userID: try reader.string(), currentHash: currentHash,
                expiresAt: Timestamp(microseconds: expiresAt), previousFamilyID: try reader.optionalString(),
                revokedReason: try reader.optionalString())
        }
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

    /// The binary layout (v2 of the refresh projection): layout byte 1; flags (bit 0: `used_at`, bit 1:
    /// `used_seq` present); `used_at`, `used_seq` (64-bit); then the field `family_id`.
    static let layout: UInt8 = 1

    /// The stored bytes.
    public var bytes: [UInt8] { Self.encode(familyID: familyID.utf8Slice, usedAt: usedAt, usedSeq: usedSeq) }

    /// Encodes a record from its parts.
    static func encode(familyID: ArraySlice<UInt8>, usedAt: Timestamp?, usedSeq: UInt64?) -> [UInt8] {
        var writer = BinaryRecordWriter(layout: layout, capacity: 22 + familyID.count)
        writer.byte((usedAt == nil ? 0 : 1) | (usedSeq == nil ? 0 : 2))
        writer.int64(usedAt?.microseconds ?? 0)
        writer.int64(Int64(bitPattern: usedSeq ?? 0))
        writer.field(familyID)
        return writer.bytes
    }

    /// Calls `body` with the bytes ``encode(familyID:usedAt:usedSeq:)`` returns, written into temporary memory
    /// instead of an array: a rebuild encodes two of these per rotation (millions), and allocating and freeing
    /// each array cost a tenth of the `refresh` fold.
    @inline(__always)
    static func withEncoded<R>(
        familyID: UnsafeRawBufferPointer, usedAt: Timestamp?, usedSeq: UInt64?, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        let count = 22 + familyID.count
        return try withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { buffer in
            buffer.storeBytes(of: layout, toByteOffset: 0, as: UInt8.self)
            buffer.storeBytes(of: (usedAt == nil ? 0 : 1) | (usedSeq == nil ? 0 : 2) as UInt8, toByteOffset: 1, as: UInt8.self)
            buffer.storeBytes(of: (usedAt?.microseconds ?? 0).littleEndian, toByteOffset: 2, as: Int64.self)
            buffer.storeBytes(of: Int64(bitPattern: usedSeq ?? 0).littleEndian, toByteOffset: 10, as: Int64.self)
            buffer.storeBytes(of: UInt32(familyID.count).littleEndian, toByteOffset: 18, as: UInt32.self)
            UnsafeMutableRawBufferPointer(rebasing: buffer[22..<count]).copyMemory(from: familyID)
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Decodes stored bytes.
    public init(bytes: [UInt8]) throws {
        self = try BinaryRecordReader.decode(bytes, layout: Self.layout) { reader throws(EventDecodingError) in
            let flags = try reader.byte()
            let usedAt = try reader.int64()
            let usedSeq = try reader.int64()
            return RefreshTokenRecord(
                familyID: try reader.string(), usedAt: flags & 1 != 0 ? Timestamp(microseconds: usedAt) : nil,
                usedSeq: flags & 2 != 0 ? UInt64(bitPattern: usedSeq) : nil)
        }
    }
}

/// A signing key's public half.
public struct SigningKeyRecord: MapRecord {
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
