import AuthCrypto
import EventLog

/// A forensic reconstruction of one refresh-token family from the log: the token tree with the request context of
/// every rotation, the reuse incidents (a used token presented again), what happened on the account while the
/// family was exposed, and a short verdict.
public struct FamilyInvestigation: Sendable {
    /// Where and how a request reached us.
    public struct Context: Sendable, Equatable {
        /// Seq of the event.
        public var seq: UInt64
        /// Its time.
        public var time: Timestamp
        /// Client IP.
        public var ip: String?
        /// User agent.
        public var userAgent: String?

        /// Whether two requests came from the same client (same IP and user agent).
        public func sameClient(as other: Context) -> Bool { ip == other.ip && userAgent == other.userAgent }
    }

    /// One refresh token of the family.
    public struct Token: Sendable {
        /// SHA-256 of the token (what the log holds), base64url.
        public var hash: String
        /// The token it was exchanged from (nil for the first one).
        public var parent: String?
        /// When and to whom it was issued.
        public var issued: Context
        /// When and by whom it was exchanged (first use), if ever.
        public var used: Context?
        /// Whether it was first issued by a grace-window re-exchange (a second child of one parent: logs written
        /// before re-exchanges handed out the same child).
        public var viaGrace: Bool
        /// Grace-window re-exchanges of its parent that handed this same token out again.
        public var reissues: [Context] = []
        /// Depth in the tree (0 for the first token).
        public var depth: Int
    }

    /// A used token presented again.
    public struct Reuse: Sendable {
        /// The re-presented token.
        public var tokenHash: String
        /// The first, legitimate-looking exchange of that token.
        public var firstUse: Context?
        /// The re-presentation.
        public var presented: Context
        /// Seconds between the first exchange and the re-presentation.
        public var delaySeconds: Double?
        /// Whether the re-presentation came from a different IP or user agent than the first exchange.
        public var differentClient: Bool
    }

    /// Something that happened on the account while the family was exposed.
    public struct Activity: Sendable {
        /// The event.
        public var seq: UInt64
        /// Its time.
        public var time: Timestamp
        /// Its type.
        public var type: String
        /// Its request context.
        public var ip: String?
        /// Its user agent.
        public var userAgent: String?
        /// `login` (the family's original client), `reuser` (the context that re-presented a used token), or `other`.
        public var branch: String
    }

    /// The family id.
    public var familyID: String
    /// Its session.
    public var sessionID: String?
    /// Its user.
    public var userID: String?
    /// The login that started it.
    public var started: Context?
    /// Every token, in issue order.
    public var tokens: [Token] = []
    /// Reuse incidents, in order.
    public var reuses: [Reuse] = []
    /// The revocation, if any: context and reason.
    public var revoked: (context: Context, reason: String)?
    /// The session's revocation, if any.
    public var sessionRevoked: (context: Context, reason: String)?
    /// Account activity between the first reused token's exchange and the revocation (or now).
    public var activity: [Activity] = []
    /// The one-paragraph conclusion.
    public var verdict: String = ""
    /// The external identities linked to the family's user now (a way back in that a thief may have added).
    public var identities: [FoundIdentity] = []

    /// Reconstructs family `familyID` from the index and the log (reads only that family's and user's events).
    /// Client IPs and user agents are opened with `vault` (``Queries/request(of:)``).
    public static func run(familyID: String, in context: ReadContext, vault: PersonalDataVault? = nil) throws -> FamilyInvestigation? {
        let queries = Queries(context, vault: vault)
        let seqs = try context.seqs(in: StreamRef(.family, familyID))
        guard !seqs.isEmpty else { return nil }
        var result = FamilyInvestigation(familyID: familyID)
        var tokenIndex: [String: Int] = [:]
        for seq in seqs {
            guard let event = try context.event(seq) else { continue }
            switch event.type {
            case RefreshFamilyStarted.type:
                let e = try RefreshFamilyStarted(event)
                result.sessionID = e.sessionID
                result.userID = e.userID
                result.started = try Self.context(of: event, queries)
                let hash = Encoding.base64URL(e.tokenHash)
                tokenIndex[hash] = result.tokens.count
                result.tokens.append(Token(hash: hash, parent: nil, issued: try Self.context(of: event, queries), used: nil, viaGrace: false, depth: 0))
            case RefreshRotated.type:
                let e = try RefreshRotated(event)
                let parent = Encoding.base64URL(e.parentHash)
                let child = Encoding.base64URL(e.childHash)
                var depth = 1
                if let index = tokenIndex[parent] {
                    if result.tokens[index].used == nil { result.tokens[index].used = try Self.context(of: event, queries) }
                    depth = result.tokens[index].depth + 1
                }
                if let existing = tokenIndex[child] {
                    result.tokens[existing].reissues.append(try Self.context(of: event, queries))
                    continue
                }
                tokenIndex[child] = result.tokens.count
                result.tokens.append(Token(hash: child, parent: parent, issued: try Self.context(of: event, queries), used: nil, viaGrace: e.grace, depth: depth))
            case RefreshReuseDetected.type:
                let e = try RefreshReuseDetected(event)
                let hash = Encoding.base64URL(e.tokenHash)
                let first = tokenIndex[hash].flatMap { result.tokens[$0].used }
                let presented = try Self.context(of: event, queries)
                result.reuses.append(Reuse(
                    tokenHash: hash, firstUse: first, presented: presented,
                    delaySeconds: first.map { Double(presented.time.microseconds - $0.time.microseconds) / 1e6 },
                    differentClient: first.map { !$0.sameClient(as: presented) } ?? true))
            case RefreshFamilyRevoked.type:
                let e = try RefreshFamilyRevoked(event)
                if result.revoked == nil { result.revoked = (try Self.context(of: event, queries), e.reason) }
            default:
                break
            }
        }
        if let sessionID = result.sessionID {
            for seq in try context.seqs(in: StreamRef(.session, sessionID)) {
                guard let event = try context.event(seq), event.type == SessionRevoked.type else { continue }
                result.sessionRevoked = (try Self.context(of: event, queries), try SessionRevoked(event).reason)
                break
            }
        }
        try result.collectActivity(context, queries)
        result.verdict = result.conclude()
        if let userID = result.userID { result.identities = try queries.opened(ExternalLogin.identities(ofUser: userID, in: context.state)) }
        return result
    }

    /// The user's events between the exposure (first exchange of the first reused token) and the revocation.
    /// Where `event`'s request came from, its personal data opened.
    static func context(of event: RecordedEvent, _ queries: Queries) throws -> Context {
        let request = try queries.request(of: event)
        return Context(seq: event.seq, time: event.timestamp, ip: request.clientIP, userAgent: request.userAgent)
    }

    private mutating func collectActivity(_ context: ReadContext, _ queries: Queries) throws {
        guard let userID, let reuse = reuses.first else { return }
        let from = reuse.firstUse?.seq ?? reuse.presented.seq
        let until = revoked?.context.seq ?? UInt64.max
        let familySeqs = Set(try context.seqs(in: StreamRef(.family, familyID)))
        for seq in try context.seqs(in: StreamRef(.user, userID), from: from) where seq <= until && !familySeqs.contains(seq) {
            guard let event = try context.event(seq) else { continue }
            let request = try queries.request(of: event)
            let here = Context(seq: seq, time: event.timestamp, ip: request.clientIP, userAgent: request.userAgent)
            let branch: String
            if let started, here.sameClient(as: started) {
                branch = "login"
            } else if here.sameClient(as: reuse.presented) {
                branch = "reuser"
            } else {
                branch = "other"
            }
            activity.append(Activity(seq: seq, time: event.timestamp, type: event.type, ip: request.clientIP, userAgent: request.userAgent, branch: branch))
        }
    }

    private func conclude() -> String {
        guard let reuse = reuses.first else {
            if let revoked { return "no reuse; family revoked at seq \(revoked.context.seq) (\(revoked.reason))" }
            return "no reuse detected; \(tokens.count) token(s) issued, family active"
        }
        var text = "reuse"
        if let delay = reuse.delaySeconds { text += " \(Self.duration(delay)) after rotation" }
        if reuse.differentClient {
            var differences: [String] = []
            if reuse.firstUse?.ip != reuse.presented.ip { differences.append("IP") }
            if reuse.firstUse?.userAgent != reuse.presented.userAgent { differences.append("user agent") }
            text += " from a different \(differences.joined(separator: " and ")): likely theft"
        } else {
            text += " from the same IP and user agent: likely a client retry or race, not theft (consider the grace window)"
        }
        if let started, let first = reuse.firstUse {
            if first.sameClient(as: started) && !reuse.presented.sameClient(as: started) {
                text += "; the re-presenting client (\(reuse.presented.ip ?? "?")) is not the one that logged in"
            } else if !first.sameClient(as: started) && reuse.presented.sameClient(as: started) {
                text += "; the token was first exchanged by a client (\(first.ip ?? "?")) other than the one that logged in — the thief rotated first"
            }
        }
        if let revoked { text += "; family revoked at seq \(revoked.context.seq)" }
        if let sessionRevoked { text += ", session revoked at seq \(sessionRevoked.context.seq)" }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int((seconds / 3600).rounded())) h"
    }

    /// The families of `userID`, from the index.
    public static func families(ofUser userID: String, in context: ReadContext) throws -> [String] {
        var families: [String] = []
        for seq in try context.seqs(in: StreamRef(.user, userID)) {
            guard let event = try context.event(seq), event.type == RefreshFamilyStarted.type else { continue }
            families.append(try RefreshFamilyStarted(event).familyID)
        }
        return families
    }

    /// The family of `sessionID`, from the index.
    public static func family(ofSession sessionID: String, in context: ReadContext) throws -> String? {
        for seq in try context.seqs(in: StreamRef(.session, sessionID)) {
            guard let event = try context.event(seq), event.type == RefreshFamilyStarted.type else { continue }
            return try RefreshFamilyStarted(event).familyID
        }
        return nil
    }

    /// The family of a refresh token given by the SHA-256 of its raw bytes.
    public static func family(ofTokenHash hash: [UInt8], in context: ReadContext) throws -> String? {
        try context.state.table(RefreshProjection(), "tokens").record(RefreshTokenRecord.self, hash)?.familyID
    }
}
