import AuthCrypto
import EventLog
import Foundation

/// Personal data under per-user keys, for erasure that keeps the hash chain (crypto-shredding).
///
/// Every user gets a random 32-byte data key at registration, kept **outside the log** in the `user_keys` side table
/// (``tableName``), sealed under the server data key (`keys/data.key`, AES-256-GCM, bound to the user id) and
/// written in the registering transaction. The user's personal data is stored only sealed under that key
/// (AES-256-GCM, bound to the user id and the field), in events and projections alike:
///
/// - the email address (`user.registered` v3 and the `users` projection); lookups by email go through its keyed
///   hash (``emailHash(_:)``, HMAC-SHA-256 under `keys/email.key`), never the plaintext;
/// - the client IP and user agent in the envelope of every event in the user's streams: the vault is the store's
///   ``RequestSealer``, so each event naming a user stream whose user has a key is stored with
///   ``sealedPrefix`` + base64url(nonce ‖ ciphertext ‖ tag) in those two text fields. Projections copy these
///   strings as they are (sessions keep them), so a rebuild needs no key.
///
/// Deleting a user destroys the key (``destroyKey(userID:in:)`` leaves an empty tombstone, so events appended
/// about the user afterwards carry no request data either): the sealed bytes stay in the log and the chain
/// verifies, but nothing can open them any more, and readers show ``erased``.
public final class PersonalDataVault: RequestSealer {
    /// The side table of the users' sealed keys.
    public static let tableName = "user_keys"
    /// What readers show where personal data was sealed under a destroyed key.
    public static let erased = "[erased]"
    /// What readers show for sealed data when no keys are at hand (a copy of the data without `keys/`).
    public static let sealed = "[sealed]"
    /// The prefix of a sealed envelope text field.
    public static let sealedPrefix = "sealed:"

    let dataKey: [UInt8]
    let emailKey: [UInt8]
    /// The `user_keys` side table.
    public let table: SideTable

    /// A vault over `table` with the server's data and email keys.
    public init(dataKey: [UInt8], emailKey: [UInt8], table: SideTable) {
        self.dataKey = dataKey
        self.emailKey = emailKey
        self.table = table
    }

    /// Opens the vault of `store` (its `user_keys` table, the key files under `keys`) and installs it as the store's
    /// sealer. Call it at setup, before serving.
    @discardableResult
    public static func install(on store: EventStore, keys: KeyFiles) throws -> PersonalDataVault {
        let vault = PersonalDataVault(dataKey: try keys.dataKey(), emailKey: try keys.emailKey(), table: try store.sideTable(tableName))
        store.install(vault)
        return vault
    }

    /// A read-only vault for audit tools over `reader` (a data directory, live or a copy), usable only in that
    /// reader's snapshots (its table handle belongs to that environment): nil if the directory has
    /// no `user_keys` table or no `keys/data.key` and `keys/email.key` beside it (nothing is created).
    public static func reader(for reader: LogReader, dataDirectory: String) throws -> PersonalDataVault? {
        guard let table = try reader.sideTable(tableName) else { return nil }
        let keys = dataDirectory + "/keys"
        guard let dataKey = try SecretFile.contents(keys + "/data.key"), dataKey.count == 32,
            let emailText = try SecretFile.contents(keys + "/email.key"),
            let emailKey = Encoding.fromBase64URL(String(decoding: emailText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            emailKey.count == 32
        else { return nil }
        return PersonalDataVault(dataKey: dataKey, emailKey: emailKey, table: table)
    }

    /// The vault installed on `store`, if any.
    public static func installed(on store: EventStore) -> PersonalDataVault? { store.requestSealer as? PersonalDataVault }

    /// A command needed the vault and the store has none installed (``install(on:keys:)``).
    public struct NotInstalled: Error, CustomStringConvertible, Sendable {
        public var description: String { "no personal-data vault is installed on the store (PersonalDataVault.install)" }
    }

    /// The vault installed on the store of a running command.
    public static func required(in context: CommandContext) throws(NotInstalled) -> PersonalDataVault {
        guard let vault = context.sealer as? PersonalDataVault else { throw NotInstalled() }
        return vault
    }

    // MARK: Email lookup

    /// The keyed hash naming the normalised address `email` in `users/by_email` and in events.
    public func emailHash(_ email: String) -> [UInt8] {
        HMAC.authenticate(key: emailKey, message: Array("authlog email v1\u{0}".utf8) + Array(email.utf8), algorithm: .sha256)
    }

    // MARK: User keys

    /// What the `user_keys` table says about a user.
    public enum KeyState: Sendable, Equatable {
        /// The user's key, opened.
        case key([UInt8])
        /// The key was destroyed (the user was deleted).
        case destroyed
        /// No key: a user registered before sealing and not yet migrated (``SealExistingUsers``), or no such user.
        case none
    }

    /// Creates and stores (sealed) a new key for `userID` in the command's transaction; returns it.
    public func createKey(userID: String, in context: CommandContext) throws -> [UInt8] {
        let key = SecureRandom.bytes(32)
        let sealed = try AESGCM.seal(key, key: dataKey, authenticating: Self.keyBinding(userID)).combined
        try context.put(table, key: Array(userID.utf8), value: sealed)
        return key
    }

    /// Destroys the key of `userID` in the command's transaction, leaving an empty tombstone.
    public func destroyKey(userID: String, in context: CommandContext) throws {
        try context.put(table, key: Array(userID.utf8), value: [])
    }

    /// The key state of `userID` as of the command's transaction.
    public func keyState(userID: String, in context: CommandContext) throws -> KeyState {
        try state(of: userID, stored: try context.get(table, key: Array(userID.utf8)))
    }

    /// The key state of `userID` in a read snapshot.
    public func keyState(userID: String, in context: ReadContext) throws -> KeyState {
        try state(of: userID, stored: try context.get(table, key: Array(userID.utf8)))
    }

    func state(of userID: String, stored: [UInt8]?) throws -> KeyState {
        guard let stored else { return .none }
        if stored.isEmpty { return .destroyed }
        return .key(try AESGCM.open(try AESGCM.SealedBox(combined: stored), key: dataKey, authenticating: Self.keyBinding(userID)))
    }

    static func keyBinding(_ userID: String) -> [UInt8] { Array("authlog user key v1\u{0}".utf8) + Array(userID.utf8) }

    // MARK: Sealing

    /// The field a sealed value belongs to (part of what the seal authenticates, so values cannot be swapped).
    public enum Field: String, Sendable {
        case email, clientIP = "client_ip", userAgent = "user_agent"
    }

    /// The payload fields (byte strings) that hold personal data sealed under the user's key, and the field each is
    /// sealed as: what audit tools open (``Queries/sealedPayloadText(of:)``).
    public static let sealedPayloadFields: [(name: String, field: Field)] = [("email", .email)]

    /// `plaintext` sealed under the user's `key` for `field`: nonce (12) ‖ ciphertext ‖ tag (16).
    public static func seal(_ plaintext: String, field: Field, userID: String, key: [UInt8]) throws -> [UInt8] {
        try AESGCM.seal(Array(plaintext.utf8), key: key, authenticating: binding(field, userID)).combined
    }

    /// Opens a value sealed by ``seal(_:field:userID:key:)``; `nil` if it does not open.
    public static func open(_ sealed: [UInt8], field: Field, userID: String, key: [UInt8]) -> String? {
        guard let box = try? AESGCM.SealedBox(combined: sealed),
            let plaintext = try? AESGCM.open(box, key: key, authenticating: binding(field, userID))
        else { return nil }
        return String(decoding: plaintext, as: UTF8.self)
    }

    static func binding(_ field: Field, _ userID: String) -> [UInt8] {
        Array("authlog personal data v1\u{0}\(field.rawValue)\u{0}".utf8) + Array(userID.utf8)
    }

    /// An envelope text field's sealed form: ``sealedPrefix`` + base64url of the sealed bytes.
    static func sealedText(_ text: String, field: Field, userID: String, key: [UInt8]) throws -> String {
        sealedPrefix + Encoding.base64URL(try seal(text, field: field, userID: userID, key: key))
    }

    /// The client IP and user agent of `request`, each sealed under `userID`'s `key` (nil stays nil).
    static func sealedFields(of request: RequestInfo, userID: String, key: [UInt8]) throws -> (clientIP: String?, userAgent: String?) {
        (
            try request.clientIP.map { try sealedText($0, field: .clientIP, userID: userID, key: key) },
            try request.userAgent.map { try sealedText($0, field: .userAgent, userID: userID, key: key) }
        )
    }

    /// `text` in its sealed text form (``sealedPrefix`` + base64url) under the key of `userID`, for a personal-data text
    /// field of an event (an external identity's email): `nil` once the key is destroyed; the text as it is for a user
    /// without a key (registered before sealing and not yet migrated).
    public static func sealedText(_ text: String, ofUser userID: String, in context: CommandContext) throws -> String? {
        switch try required(in: context).keyState(userID: userID, in: context) {
        case .key(let key): return try sealedText(text, field: .email, userID: userID, key: key)
        case .destroyed: return nil
        case .none: return text
        }
    }

    /// Whether an envelope text field is sealed.
    public static func isSealed(_ text: String) -> Bool { text.hasPrefix(sealedPrefix) }

    /// Opens an envelope text field if it is sealed (``isSealed(_:)``) with the state of the key of the user it
    /// belongs to: the plaintext, ``erased`` if the key was destroyed (or the value does not open under it), and
    /// ``sealed`` if no key is at hand. Plain text is returned as it is.
    public static func reveal(_ text: String, field: Field, userID: String?, key: KeyState?) -> String {
        guard isSealed(text) else { return text }
        switch key {
        case .key(let key)?:
            guard let userID, let bytes = Encoding.fromBase64URL(String(text.dropFirst(sealedPrefix.count))),
                let plaintext = open(bytes, field: field, userID: userID, key: key)
            else { return erased }
            return plaintext
        case .destroyed?, .none?: return erased
        case nil: return sealed
        }
    }

    /// `request` with its client IP and user agent sealed now, under the key of `userID` as of the read snapshot
    /// `context`: for a caller to call before queuing a command, so that the writer does not seal them
    /// (``PresealedRequest``). Unchanged when there is nothing to seal or the user has no live key (the writer then
    /// decides, as without a presealing).
    public func presealed(_ request: RequestInfo, userID: String, in context: ReadContext) throws -> RequestInfo {
        guard request.clientIP != nil || request.userAgent != nil,
            let stored = try context.get(table, key: Array(userID.utf8)),
            case .key(let key) = try state(of: userID, stored: stored)
        else { return request }
        let sealed = try Self.sealedFields(of: request, userID: userID, key: key)
        var out = request
        out.presealed = PresealedRequest(
            userID: userID, basis: stored, clientIP: request.clientIP, userAgent: request.userAgent,
            sealedClientIP: sealed.clientIP, sealedUserAgent: sealed.userAgent)
        return out
    }

    // MARK: RequestSealer

    /// Seals the client IP and user agent of an event in a user's stream whose user has a key; drops them for a
    /// user whose key was destroyed; leaves other events as they are.
    /// Fields presealed by the caller (``presealed(_:userID:in:)``) are adopted when they were sealed for this
    /// event's user and plaintexts under the key still stored, byte for byte: no AES-GCM on the writer.
    public func sealedRequest(of event: PendingEvent, in context: CommandContext) throws -> RequestInfo {
        var request = event.request
        let presealed = request.presealed
        request.presealed = nil
        guard request.clientIP != nil || request.userAgent != nil,
            let userID = event.streams.first(where: { $0.kind == .user })?.id
        else { return request }
        let stored = try context.get(table, key: Array(userID.utf8))
        if let presealed, let stored, !stored.isEmpty, presealed.userID == userID, presealed.basis == stored,
            presealed.clientIP == request.clientIP, presealed.userAgent == request.userAgent
        {
            request.clientIP = presealed.sealedClientIP
            request.userAgent = presealed.sealedUserAgent
            return request
        }
        switch try state(of: userID, stored: stored) {
        case .key(let key):
            (request.clientIP, request.userAgent) = try Self.sealedFields(of: request, userID: userID, key: key)
        case .destroyed:
            request.clientIP = nil
            request.userAgent = nil
        case .none:
            break
        }
        return request
    }
}
