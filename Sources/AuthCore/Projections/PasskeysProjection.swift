import AuthCrypto
import EventLog

/// A registered passkey.
public struct PasskeyRecord: MapRecord {
    public var userID: String
    public var publicKey: [UInt8]
    public var algorithm: Int64
    public var signCount: Int64
    public var aaguid: String
    public var backupEligible: Bool
    public var backupState: Bool
    public var transports: [String]
    public var attestationFormat: String
    public var name: String
    public var createdAt: Timestamp

    public init(
        userID: String, publicKey: [UInt8], algorithm: Int64, signCount: Int64, aaguid: String, backupEligible: Bool,
        backupState: Bool, transports: [String], attestationFormat: String, name: String, createdAt: Timestamp
    ) {
        self.userID = userID
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.aaguid = aaguid
        self.backupEligible = backupEligible
        self.backupState = backupState
        self.transports = transports
        self.attestationFormat = attestationFormat
        self.name = name
        self.createdAt = createdAt
    }

    public func encode(to writer: inout PayloadWriter) {
        writer.add("user_id", userID)
        writer.add("public_key", bytes: publicKey)
        writer.add("algorithm", algorithm)
        writer.add("sign_count", signCount)
        writer.add("aaguid", aaguid)
        writer.add("backup_eligible", backupEligible)
        writer.add("backup_state", backupState)
        writer.add("transports", transports)
        writer.add("attestation_format", attestationFormat)
        writer.add("name", name)
        writer.add("created_at", createdAt.microseconds)
    }

    public init(fields: PayloadReader) throws {
        userID = try fields.string("user_id")
        publicKey = try fields.bytes("public_key")
        algorithm = try fields.int("algorithm")
        signCount = try fields.int("sign_count")
        aaguid = try fields.string("aaguid")
        backupEligible = try fields.bool("backup_eligible")
        backupState = try fields.bool("backup_state")
        transports = try fields.strings("transports")
        attestationFormat = try fields.string("attestation_format")
        name = try fields.string("name")
        createdAt = Timestamp(microseconds: try fields.int("created_at"))
    }
}

/// Passkeys by credential id and by user. Credential ids may be up to 1,023 bytes (1,364 base64url characters), more
/// than an LMDB key holds (511 bytes), so the tables are keyed by SHA-256 of the id's base64url text:
/// `by_id`: `sha256(id)` → the record; `by_user`: `user_id || 0 || sha256(id)` → the id (base64url).
///
/// Version 2 (version 1 keyed by the id itself, which failed for ids over ~360 bytes).
public struct PasskeysProjection: Projection {
    /// Creates the projection.
    public init() {}
    public let name = "passkeys"
    public let version = 2
    public let tables = ["by_id", "by_user"]
    public var eventTypes: Set<String>? {
        [PasskeyRegistered.type, PasskeyCounterAdvanced.type, PasskeyCounterRegressed.type, PasskeyRenamed.type, PasskeyDeleted.type]
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byID = state.table(self, "by_id")
        switch event.type {
        case PasskeyRegistered.type:
            let e = try PasskeyRegistered(event)
            let record = PasskeyRecord(
                userID: e.userID, publicKey: e.publicKey, algorithm: e.algorithm, signCount: e.signCount, aaguid: e.aaguid,
                backupEligible: e.backupEligible, backupState: e.backupState, transports: e.transports,
                attestationFormat: e.attestationFormat, name: e.name, createdAt: event.timestamp)
            try byID.put(Self.idKey(e.credentialID), record: record)
            try state.table(self, "by_user").put(Self.userKey(e.userID, e.credentialID), Key.of(e.credentialID))
        case PasskeyCounterAdvanced.type:
            let e = try PasskeyCounterAdvanced(event)
            try update(byID, e.credentialID) { $0.signCount = e.newCount }
        case PasskeyCounterRegressed.type:
            let e = try PasskeyCounterRegressed(event)
            // Under `warn` the login went ahead and the new counter is stored; under `reject` nothing changes.
            if e.policy == "warn" { try update(byID, e.credentialID) { $0.signCount = e.newCount } }
        case PasskeyRenamed.type:
            let e = try PasskeyRenamed(event)
            try update(byID, e.credentialID) { $0.name = e.name }
        case PasskeyDeleted.type:
            let e = try PasskeyDeleted(event)
            try byID.delete(Self.idKey(e.credentialID))
            try state.table(self, "by_user").delete(Self.userKey(e.userID, e.credentialID))
        default:
            break
        }
    }

    private func update(_ byID: ProjectionTable, _ credentialID: String, _ change: (inout PasskeyRecord) -> Void) throws {
        guard var record = try byID.record(PasskeyRecord.self, Self.idKey(credentialID)) else { return }
        change(&record)
        try byID.put(Self.idKey(credentialID), record: record)
    }

    /// The `by_id` key of a credential id (base64url): SHA-256 of its text, 32 bytes whatever the id's length.
    public static func idKey(_ credentialID: String) -> [UInt8] {
        SHA256.hash(Key.of(credentialID))
    }

    /// The `by_user` key: `user_id || 0 || sha256(credential id)`; the prefix `user_id || 0` lists the user's passkeys.
    public static func userKey(_ userID: String, _ credentialID: String) -> [UInt8] {
        var key = Key.of(userID)
        key.append(0)
        key.append(contentsOf: idKey(credentialID))
        return key
    }

    /// The longest credential id (base64url characters) that names its stream as itself: `credential:<id> || 0 || seq`
    /// stays within LMDB's 511-byte key. Every id a log could hold before longer ids were supported is this short.
    public static let maxLiteralStreamIDLength = 511 - "credential:".utf8.count - 1 - 8

    /// The forensic stream of a credential: `credential:<id>`, or for an id too long for an index key
    /// `credential:sha256:<hex of SHA-256 of the id's text>`.
    public static func stream(_ credentialID: String) -> StreamRef {
        if credentialID.utf8.count <= maxLiteralStreamIDLength { return StreamRef(.credential, credentialID) }
        return StreamRef(.credential, "sha256:" + Encoding.hex(idKey(credentialID)))
    }
}
