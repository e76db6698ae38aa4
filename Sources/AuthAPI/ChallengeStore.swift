import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog

/// WebAuthn ceremony challenges: 32 random bytes, single-use, expiring after ``lifetime`` seconds. They are
/// short-lived flow state (``FlowState``), outside the event log (they are not facts about users); issuing and
/// consuming are commands run by the log's single writer (``IssueFlowState``, ``ConsumeFlowState``). This type
/// maps WebAuthn purposes to flow kinds and outcomes to problems.
final class ChallengeStore: Sendable {
    enum Purpose: Sendable {
        case registration
        case authentication
        /// Re-authentication of a logged-in user (bound to that user).
        case reauthentication

        var kind: FlowState.Kind {
            switch self {
            case .registration: .passkeyRegistration
            case .authentication: .passkeyAuthentication
            case .reauthentication: .passkeyReauthentication
            }
        }
    }

    /// A consumed challenge.
    struct Entry: Sendable, Equatable {
        var purpose: Purpose
        /// The user a registration challenge was issued to, or the user named by an email at login options.
        var userID: String?
    }

    /// Seconds a challenge stays valid.
    static let lifetime: Int64 = 300

    let store: EventStore
    let table: SideTable

    init(store: EventStore) throws {
        self.store = store
        table = try FlowState.table(in: store)
    }

    /// A new challenge for `purpose`, recorded with its expiry.
    func issue(_ purpose: Purpose, userID: String?) async throws -> [UInt8] {
        let challenge = SecureRandom.bytes(32)
        _ = try await store.run(
            IssueFlowState(table: table, key: challenge, kind: purpose.kind, payload: Array((userID ?? "").utf8), lifetime: Self.lifetime))
        return challenge
    }

    /// Takes the challenge out of the table: it must exist (not used before), be for `purpose`, and not have expired.
    /// - Throws: a 400 ``Problem`` otherwise.
    func consume(_ challenge: [UInt8], _ purpose: Purpose) async throws -> Entry {
        guard challenge.count == 32 else { throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge is not one this server issued") }
        switch try await store.run(ConsumeFlowState(table: table, key: challenge, kind: purpose.kind)) {
        case .unknown:
            throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge is unknown or was already used")
        case .expired:
            throw Problem.webauthn(code: "challenge_expired", detail: "the challenge has expired; start the ceremony again")
        case .otherKind:
            throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge was issued for another ceremony")
        case .consumed(let payload):
            return Entry(purpose: purpose, userID: payload.isEmpty ? nil : String(decoding: payload, as: UTF8.self))
        }
    }
}
