import AuthCrypto
import Dispatch
import AuthHTTP
import EventLog
import LMDB

/// WebAuthn ceremony challenges: 32 random bytes, single-use, expiring. Kept in the `challenges` database of the
/// store's LMDB environment, outside the event log (they are not facts about users), each issue and each
/// consumption in its own small write transaction.
///
/// The writes (each a durable LMDB commit) run on a serial queue of their own, off the event loops.
///
/// Value layout: purpose (1 byte) || expiry (8 bytes, big-endian microseconds) || user id (UTF-8, may be empty).
final class ChallengeStore: Sendable {
    enum Purpose: UInt8, Sendable {
        case registration = 1
        case authentication = 2
        /// Re-authentication of a logged-in user (bound to that user).
        case reauthentication = 3
    }

    /// A consumed challenge.
    struct Entry: Sendable, Equatable {
        var purpose: Purpose
        /// The user a registration challenge was issued to, or the user named by an email at login options.
        var userID: String?
    }

    static let databaseName = "challenges"
    /// Seconds a challenge stays valid.
    static let lifetime: Int64 = 300
    /// Expired entries removed per issue, at most (bounds the work of one write).
    static let pruneBatch = 64

    let environment: Environment
    let database: Database
    let clock: any EventLog.Clock
    private let queue = DispatchQueue(label: "authd.challenges")

    init(store: EventStore) throws {
        environment = store.environment
        database = try store.environment.openDatabase(Self.databaseName)
        clock = store.clock
    }

    /// A new challenge for `purpose`, recorded with its expiry.
    func issue(_ purpose: Purpose, userID: String?) async throws -> [UInt8] {
        try await offLoop { try self.issueSync(purpose, userID: userID) }
    }

    /// Takes the challenge out of the table: it must exist (not used before), be for `purpose`, and not have expired.
    /// - Throws: a 400 ``Problem`` otherwise.
    func consume(_ challenge: [UInt8], _ purpose: Purpose) async throws -> Entry {
        try await offLoop { try self.consumeSync(challenge, purpose) }
    }

    private func offLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func issueSync(_ purpose: Purpose, userID: String?) throws -> [UInt8] {
        let challenge = SecureRandom.bytes(32)
        let now = clock.now().microseconds
        let expiry = now + Self.lifetime * 1_000_000
        var value: [UInt8] = [purpose.rawValue]
        for shift in stride(from: 56, through: 0, by: -8) { value.append(UInt8(truncatingIfNeeded: expiry >> Int64(shift))) }
        value.append(contentsOf: Array((userID ?? "").utf8))
        let database = self.database
        try environment.write { txn in
            var expired: [[UInt8]] = []
            var visited = 0
            try txn.forEach(database) { key, value in
                visited += 1
                if let decoded = Self.decode(value), decoded.expiry <= now { expired.append(key) }
                return expired.count < Self.pruneBatch && visited < 4 * Self.pruneBatch
            }
            for key in expired { _ = try txn.delete(database, key: key) }
            try txn.put(database, key: challenge, value: value)
        }
        return challenge
    }

    private func consumeSync(_ challenge: [UInt8], _ purpose: Purpose) throws -> Entry {
        guard challenge.count == 32 else { throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge is not one this server issued") }
        let database = self.database
        let stored: [UInt8]? = try environment.write { txn in
            guard let value = try txn.get(database, key: challenge) else { return nil }
            _ = try txn.delete(database, key: challenge)
            return value
        }
        guard let stored, let decoded = Self.decode(stored) else {
            throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge is unknown or was already used")
        }
        guard clock.now().microseconds < decoded.expiry else {
            throw Problem.webauthn(code: "challenge_expired", detail: "the challenge has expired; start the ceremony again")
        }
        guard decoded.purpose == purpose else {
            throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge was issued for another ceremony")
        }
        return Entry(purpose: decoded.purpose, userID: decoded.userID.isEmpty ? nil : decoded.userID)
    }

    private static func decode(_ value: [UInt8]) -> (purpose: Purpose, expiry: Int64, userID: String)? {
        guard value.count >= 9, let purpose = Purpose(rawValue: value[0]) else { return nil }
        var expiry: Int64 = 0
        for byte in value[1..<9] { expiry = expiry << 8 | Int64(byte) }
        return (purpose, expiry, String(decoding: value[9...], as: UTF8.self))
    }
}
