import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird

/// Why a policy file was not loaded (the previous policy stays in force).
public struct PolicyFileError: Error, CustomStringConvertible {
    public let description: String
}

/// What loading a policy file did.
public enum PolicyLoadOutcome: Sendable, Equatable {
    /// A changed document was recorded (`policy.loaded`) and is in force.
    case loaded(sha256: String)
    /// The document in force has this content already.
    case unchanged(sha256: String)
}

extension AuthService {
    /// Reads and checks the policy file at `path`: its bytes, as a document that parses (``Policy/parse(_:)``).
    static func readPolicy(_ path: String) throws(PolicyFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw PolicyFileError(description: "cannot read the policy file \(path)") }
        let bytes = [UInt8](data)
        do {
            _ = try Policy.parse(bytes)
        } catch {
            throw PolicyFileError(description: "\(path): \(error.description)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw PolicyFileError(description: "\(path) is not UTF-8") }
        return text
    }

    /// Loads `--policy` at start (a malformed file stops the start).
    func loadPolicyAtStart(_ path: String) throws {
        let document = try Self.readPolicy(path)
        try store.runSync(LoadPolicy(document: document, source: path))
        try authz.reload(from: store)
    }

    /// Reads the policy file again (SIGHUP): a changed document is recorded and swapped in whole; a malformed one is
    /// refused with a message naming the rule and field, and the policy in force stays.
    public func reloadPolicy() async throws -> PolicyLoadOutcome {
        guard let policyPath else { throw PolicyFileError(description: "no --policy file is configured") }
        let document = try Self.readPolicy(policyPath)
        let appended = try await store.run(LoadPolicy(document: document, source: policyPath))
        try authz.reload(from: store)
        let sha256 = Policy.digest(Array(document.utf8))
        return appended ? .loaded(sha256: sha256) : .unchanged(sha256: sha256)
    }

    /// Runs an authorization command and installs the new snapshot.
    @discardableResult
    func runAuthz<C: Command>(_ command: C) async throws -> C.Result {
        let result = try await store.run(command)
        try authz.reload(from: store)
        return result
    }

    /// The context the server fills for `principal`'s request: `aal`, `auth_age_seconds` (since the session's last
    /// login, step-up or re-authentication; read only when a rule of `snapshot` uses it), `ip`, `time.hour_utc`,
    /// `time.weekday_utc` (1 = Monday … 7 = Sunday). Empty when no rule of `snapshot` reads the context
    /// (``AuthzSnapshot/contextKeysRead``): then no decision depends on it.
    func serverContext(_ principal: Principal, for snapshot: AuthzSnapshot) throws -> [String: AttributeValue] {
        guard !snapshot.contextKeysRead.isEmpty else { return [:] }
        let now = clock.now()
        var context: [String: AttributeValue] = [:]
        context.reserveCapacity(AuthzRequest.serverContextKeys.count)
        Self.addTimeContext(now, to: &context)
        context["aal"] = .string(principal.session.record.aal)
        if snapshot.contextKeysRead.contains("auth_age_seconds"),
            let last = try store.query({ try $0.lastAuthenticated(sessionID: principal.sessionID) })
        {
            context["auth_age_seconds"] = .number(Double(max(0, now.microseconds - last.microseconds) / 1_000_000))
        }
        if let ip = principal.requestIP { context["ip"] = .string(ip) }
        return context
    }

    /// `time.hour_utc` and `time.weekday_utc` of `now`.
    static func timeContext(_ now: Timestamp) -> [String: AttributeValue] {
        var context: [String: AttributeValue] = [:]
        addTimeContext(now, to: &context)
        return context
    }

    /// Sets `time.hour_utc` and `time.weekday_utc` of `now` in `context`.
    static func addTimeContext(_ now: Timestamp, to context: inout [String: AttributeValue]) {
        let seconds = now.microseconds / 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let hour = (seconds - days * 86_400) / 3_600
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let weekday = ((days % 7) + 7 + 3) % 7 + 1
        context["time.hour_utc"] = .number(Double(hour))
        context["time.weekday_utc"] = .number(Double(weekday))
    }

    /// Throws 403 `forbidden` unless the snapshot in force allows `principal` `permission` now.
    func requirePermission(_ permission: String, _ principal: Principal) throws {
        let snapshot = authz.snapshot
        let request = AuthzRequest(subject: principal.userID, permission: permission, context: try serverContext(principal, for: snapshot))
        guard snapshot.check(request, at: clock.now()).allowed else { throw Problem.forbidden(permission: permission) }
    }

    /// 403 `step-up-required` when the user has a second factor and the session is not `aal2`.
    func requireAAL2IfEnrolled(_ principal: Principal) throws {
        guard principal.session.record.aal != "aal2" else { return }
        guard try store.query({ try $0.mfa(ofUser: principal.userID)?.isEnabled }) == true else { return }
        throw Problem.stepUpRequired(maxAge: MFAPolicy.stepUpMaxAge)
    }
}
