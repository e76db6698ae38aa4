import EventLog

/// A command: decides, from the projections' state inside the log's single write transaction, which events to
/// append. Because commands run one after another in that transaction, checks and writes cannot interleave (two
/// presentations of one refresh token cannot both see it unused).
///
/// Commands never hash passwords or do other slow work: callers do that first, off the event loop, and pass the
/// results in. A command that throws is rolled back alone.
public protocol Command: Sendable {
    /// What the command reports back.
    associatedtype Result: Sendable
    /// Decides and emits.
    func run(_ context: inout CommandContext) throws -> Result
}

extension EventStore {
    /// Runs `command` in the write transaction and returns its result after the durable commit.
    @discardableResult
    public func run<C: Command>(_ command: C) async throws -> C.Result {
        try await execute { context in try command.run(&context) }
    }

    /// Blocking form of ``run(_:)`` for tools and benchmarks.
    @discardableResult
    public func runSync<C: Command>(_ command: C) throws -> C.Result {
        try executeSync { context in try command.run(&context) }
    }
}

/// Shared steps of the session-ending commands.
enum SessionEnding {
    /// Revokes the session `sessionID` (record `session`) and its refresh family, if it has a live one:
    /// `refresh.family_revoked` (reason `familyReason`) then `session.revoked` (reason `reason`).
    static func revoke(
        _ sessionID: String, _ session: SessionRecord, reason: String, familyReason: String, actor: Actor, request: RequestInfo,
        in context: inout CommandContext
    ) throws {
        if let familyID = session.familyID,
            let family = try context.state.table(RefreshProjection(), "families").record(FamilyRecord.self, Key.of(familyID)),
            family.revokedReason == nil
        {
            try context.emit(
                RefreshFamilyRevoked(familyID: familyID, sessionID: sessionID, userID: session.userID, reason: familyReason),
                actor: actor, request: request)
        }
        try context.emit(SessionRevoked(sessionID: sessionID, userID: session.userID, reason: reason), actor: actor, request: request)
    }

    /// The sessions of `userID` (id and record), read inside the transaction.
    static func sessions(of userID: String, in context: CommandContext) throws -> [(String, SessionRecord)] {
        let byUser = context.state.table(SessionsProjection(), "by_user")
        let byID = context.state.table(SessionsProjection(), "by_id")
        var prefix = Array(userID.utf8)
        prefix.append(0)
        var out: [(String, SessionRecord)] = []
        for entry in try byUser.entries(prefix: prefix) {
            let sessionID = String(decoding: entry.key[prefix.count...], as: UTF8.self)
            if let record = try byID.record(SessionRecord.self, Key.of(sessionID)) {
                out.append((sessionID, record))
            }
        }
        return out
    }
}
