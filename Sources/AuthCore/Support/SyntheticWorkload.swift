import AuthCrypto
import EventLog

/// Generates a realistic, self-consistent stream of domain events (registrations, logins, refresh rotations, session
/// extensions, logouts, failed logins, and occasional refresh-token thefts) for benchmarks and scale tests.
/// Deterministic for a given seed.
public struct SyntheticWorkload {
    private var rng: SplitMix64
    private var users: [String] = []
    private var sessions: [(sessionID: String, userID: String, familyID: String?, current: [UInt8], used: [UInt8]?)] = []
    private var counter: UInt64 = 0
    private var lastRotationSeq: UInt64 = 0

    /// Creates a generator.
    public init(seed: UInt64 = 42) { rng = SplitMix64(seed: seed) }

    private mutating func id(_ prefix: String) -> String {
        counter += 1
        let bytes = withUnsafeBytes(of: rng.next()) { Array($0) } + withUnsafeBytes(of: counter) { Array($0.prefix(8)) }
        return prefix + Self.base64URL(bytes)
    }

    private mutating func hash() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for _ in 0..<4 { out.append(contentsOf: withUnsafeBytes(of: rng.next()) { Array($0) }) }
        return out
    }

    private mutating func request() -> RequestInfo {
        let ip = "10.\(rng.next() % 250).\(rng.next() % 250).\(rng.next() % 250)"
        let agents = ["Mozilla/5.0 (X11; Linux x86_64) Chrome/131", "Mozilla/5.0 (iPhone) Safari/604.1", "okhttp/4.12", "curl/8.5"]
        return RequestInfo(requestID: id("req_"), clientIP: ip, userAgent: agents[Int(rng.next() % 4)])
    }

    /// The next group of events (one user action: 1 to 4 events).
    public mutating func next(at now: Timestamp) -> [PendingEvent] {
        let roll = rng.next() % 1000
        let req = request()
        if users.isEmpty || roll < 40 {
            let userID = id("usr_")
            users.append(userID)
            // The address as stored: a keyed hash and a sealed box of a typical address's size (nonce, 24 bytes, tag).
            return [UserRegistered(userID: userID, emailHash: hash(), sealedEmail: hash() + hash().prefix(20),
                passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$" + Self.base64URL(hash())).pending(actor: .user(userID), request: req)]
        }
        if sessions.isEmpty || roll < 160 {
            let userID = users[Int(rng.next() % UInt64(users.count))]
            let sessionID = id("ses_")
            let tokenMode = rng.next() % 10 < 7
            var events = [
                LoginSucceeded(userID: userID, sessionID: sessionID, method: "password", aal: "aal1").pending(actor: .user(userID), request: req),
                SessionCreated(sessionID: sessionID, userID: userID, tokenHash: hash(), aal: "aal1", mode: tokenMode ? "token" : "cookie",
                    expiresAt: now.adding(seconds: 30 * 86400), idleTimeout: 7 * 86400).pending(actor: .user(userID), request: req),
            ]
            var familyID: String?
            var current: [UInt8] = []
            if tokenMode {
                familyID = id("fam_")
                current = hash()
                events.append(RefreshFamilyStarted(familyID: familyID!, sessionID: sessionID, userID: userID, tokenHash: current,
                    expiresAt: now.adding(seconds: 30 * 86400)).pending(actor: .user(userID), request: req))
            }
            sessions.append((sessionID, userID, familyID, current, nil))
            if sessions.count > 50_000 { sessions.removeFirst(10_000) }
            return events
        }
        let index = Int(rng.next() % UInt64(sessions.count))
        let session = sessions[index]
        let actor = Actor.user(session.userID)
        if roll < 700, let familyID = session.familyID {
            let child = hash()
            sessions[index].used = session.current
            sessions[index].current = child
            return [RefreshRotated(familyID: familyID, sessionID: session.sessionID, userID: session.userID,
                parentHash: session.current, childHash: child, grace: false).pending(actor: actor, request: req)]
        }
        if roll < 850 {
            return [SessionExtended(sessionID: session.sessionID, userID: session.userID, lastSeenAt: now).pending(actor: actor, request: req)]
        }
        if roll < 950 {
            return [LoginFailed(userID: session.userID, subject: Self.base64URL(hash()), reason: "bad_password", method: "password")
                .pending(actor: .anonymous, request: req)]
        }
        sessions.remove(at: index)
        var events: [PendingEvent] = []
        if roll < 960, let familyID = session.familyID, let used = session.used {
            events.append(RefreshReuseDetected(familyID: familyID, sessionID: session.sessionID, userID: session.userID,
                tokenHash: used, usedAtSeq: 0).pending(actor: .anonymous, request: req))
            events.append(RefreshFamilyRevoked(familyID: familyID, sessionID: session.sessionID, userID: session.userID,
                reason: "reuse_detected").pending(actor: .system, request: req))
            events.append(SessionRevoked(sessionID: session.sessionID, userID: session.userID, reason: "refresh_reuse").pending(actor: .system, request: req))
            return events
        }
        if let familyID = session.familyID {
            events.append(RefreshFamilyRevoked(familyID: familyID, sessionID: session.sessionID, userID: session.userID, reason: "logout")
                .pending(actor: actor, request: req))
        }
        events.append(SessionRevoked(sessionID: session.sessionID, userID: session.userID, reason: "logout").pending(actor: actor, request: req))
        return events
    }

    private static func base64URL(_ bytes: [UInt8]) -> String { Encoding.base64URL(bytes) }
}

/// A small, fast deterministic PRNG (SplitMix64) for synthetic data only — never for secrets.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
