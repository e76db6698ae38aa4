import AuthCore
import EventLog
import Synchronization

/// The opened client IP and user agent of sessions answered recently, so that `GET /v1/session` (which an app may call
/// on every page) does not read the user's key and open it and both fields (three AES-GCM opens, in a second read
/// snapshot) on every request.
///
/// An entry is what opening one session's sealed fields gave: keyed by the session id, it keeps the sealed texts it
/// was opened from and answers only a record that carries the same texts (a user's key never changes while the user
/// exists, so the same sealed text always opens to the same value). It is asked only about a session the request has
/// just authenticated, that is, one active in the store at that instant: the sessions of a deleted user are gone with
/// `user.deleted`, so an entry can never answer for a deleted user.
///
/// Bounds: at most ``capacity`` entries (the oldest inserted is dropped first), none used longer than ``lifetime``
/// after it was opened. Erasure: ``forget(userID:)`` drops a user's entries once `user.deleted` has committed through
/// this process (``AuthService``'s account deletion); after a deletion through another node or `authctl`, the entries
/// leave memory within ``lifetime`` (docs/THREAT_MODEL.md). Values that did not open (erased, or no keys) are not kept.
final class SessionOriginCache: Sendable {
    /// The opened fields of one session, and what they were opened from.
    struct Entry: Sendable {
        let userID: String
        let sealedIP: String?
        let sealedUserAgent: String?
        let clientIP: String?
        let userAgent: String?
        let openedAt: Timestamp
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Session ids in insertion order, a ring of `capacity` slots (a slot may name an id dropped since).
        var ring: [String] = []
        var next = 0
        /// Bumped by every ``forget(userID:)``: an opening that began before it is not kept.
        var generation: UInt64 = 0
    }

    /// The most entries kept.
    let capacity: Int
    /// How long an entry answers after it was opened, in microseconds.
    let lifetime: Int64
    private let state = Mutex(State())

    /// A cache of at most `capacity` entries, each used at most `lifetimeSeconds` after it was opened.
    init(capacity: Int = 4_096, lifetimeSeconds: Int64 = 300) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.lifetime = lifetimeSeconds * 1_000_000
    }

    /// The opened client IP and user agent of `session` (active at `now`) if an entry for these sealed values is fresh.
    func origin(of session: Queries.ActiveSession, at now: Timestamp) -> (clientIP: String?, userAgent: String?)? {
        state.withLock { state in
            guard let entry = state.entries[session.id], entry.userID == session.record.userID,
                entry.sealedIP == session.record.clientIP, entry.sealedUserAgent == session.record.userAgent,
                now.microseconds - entry.openedAt.microseconds < lifetime
            else { return nil }
            return (entry.clientIP, entry.userAgent)
        }
    }

    /// The value to pass to ``insert(_:opened:at:generation:)``: take it before the read snapshot that opens the fields.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Keeps `opened`, the fields of `session` opened in a snapshot begun after `generation` was taken, unless a user
    /// was forgotten since or a field did not open.
    func insert(_ session: Queries.ActiveSession, opened: (clientIP: String?, userAgent: String?), at now: Timestamp, generation: UInt64) {
        let markers = [PersonalDataVault.erased, PersonalDataVault.sealed]
        if let ip = opened.clientIP, markers.contains(ip) { return }
        if let agent = opened.userAgent, markers.contains(agent) { return }
        let entry = Entry(
            userID: session.record.userID, sealedIP: session.record.clientIP, sealedUserAgent: session.record.userAgent,
            clientIP: opened.clientIP, userAgent: opened.userAgent, openedAt: now)
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.updateValue(entry, forKey: session.id) != nil { return }
            if state.ring.count < capacity {
                state.ring.append(session.id)
            } else {
                state.entries.removeValue(forKey: state.ring[state.next])
                state.ring[state.next] = session.id
                state.next = (state.next + 1) % capacity
            }
        }
    }

    /// Drops every entry of `userID` (after its `user.deleted` committed), and refuses openings that began before.
    func forget(userID: String) {
        state.withLock { state in
            state.generation &+= 1
            state.entries = state.entries.filter { $0.value.userID != userID }
        }
    }

    /// The number of entries (for tests).
    var count: Int { state.withLock { $0.entries.count } }
}
