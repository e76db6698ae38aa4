import AuthCore
import EventLog
import ProjectionRebuild
import TextEncoding

/// The authorization state at a past instant, folded from the log up to it (every event up to `seq`, or up to
/// `time`): roles, grants and the policy as they were then, so answers hold after later revocations and role edits.
public struct AuthzAtInstant {
    /// How the instant was given (`seq 42` or the time).
    public var at: String
    /// The last event folded.
    public var atSeq: UInt64
    /// The instant (grant expiry is judged at it).
    public var atTime: Timestamp
    /// The authorization state then.
    public var state: AuthzState
    /// User emails then (user id → email).
    public var emails: [String: String]

    /// Folds the log up to `seq` or `time` (whichever is given; both: the first reached). Addresses are opened with
    /// `vault` (without one, or for an erased user, they show as ``PersonalDataVault/sealed`` / ``PersonalDataVault/erased``).
    public static func build(
        seq: UInt64?, time: Timestamp?, in context: ReadContext, vault: PersonalDataVault? = nil
    ) throws -> AuthzAtInstant {
        let users = UsersProjection()
        let authz = AuthzProjection()
        let scratch = ScratchProjections([users, authz])
        let wanted = authz.eventTypes!.union(users.eventTypes!)
        var lastSeq: UInt64 = 0
        var lastTime = Timestamp(microseconds: 0)
        try context.forEachEvent { event in
            if let seq, event.seq > seq { return false }
            if let time, event.timestamp > time { return false }
            if wanted.contains(event.type) { try scratch.apply(event) }
            lastSeq = event.seq
            lastTime = event.timestamp
            return true
        }
        let instant = time ?? lastTime
        let state = try AuthzState.read { scratch.table(authz, $0) }
        var emails: [String: String] = [:]
        let queries = Queries(context, vault: vault)
        for entry in scratch.entries(users, "by_id") {
            let userID = String(decoding: entry.key, as: UTF8.self)
            emails[userID] = try queries.email(of: try UserRecord(bytes: entry.value), userID: userID)
        }
        return AuthzAtInstant(
            at: time?.rfc3339 ?? "seq \(seq ?? lastSeq)", atSeq: lastSeq, atTime: instant, state: state, emails: emails)
    }
}

/// `authctl access`: the roles a user held at an instant (who granted them, when, why, until when) and the
/// permissions they gave.
public struct AccessReport {
    public var userID: String
    public var email: String?
    public var instant: AuthzAtInstant
    /// The grants in force at the instant.
    public var grants: [AuthzState.Grant]
    /// The effective permission patterns (union of the roles'), sorted.
    public var permissions: [String]
    /// The SHA-256 of the policy document in force, if any.
    public var policySHA256: String?

    /// The report for `userID` at `instant`.
    public init(userID: String, instant: AuthzAtInstant) {
        self.userID = userID
        self.instant = instant
        email = instant.emails[userID]
        let roles = instant.state.roles
        grants = (instant.state.grants[userID] ?? []).filter { $0.record.isActive(at: instant.atTime) }
        permissions = Array(Set(grants.flatMap { roles[$0.role] ?? [] })).sorted()
        policySHA256 = instant.state.policyRecord?.sha256
    }

    /// The report as text.
    public var text: String {
        var lines = ["user \(AuditText.shown(userID)) (\(AuditText.shown(email ?? "unknown email"))) at \(instant.at) (through seq \(instant.atSeq))"]
        lines.append("policy: \(policySHA256.map { "sha256 \($0)" } ?? "none")")
        lines.append("")
        lines.append("roles: \(grants.count)")
        for grant in grants {
            let r = grant.record
            lines.append(
                "  \(AuditText.shown(grant.role))  granted \(r.grantedAt.rfc3339) by \(AuditText.shown(r.grantedBy)) (seq \(r.seq)) until \(r.expiresAt?.rfc3339 ?? "-") reason: \(AuditText.shown(r.reason))")
        }
        lines.append("")
        lines.append("permissions: " + (permissions.isEmpty ? "none" : permissions.map(AuditText.shown).joined(separator: " ")))
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object.
    public var json: String {
        let grantsJSON = grants.map { grant in
            let r = grant.record
            return "{\"role\":\(JSONString.quoted(grant.role)),\"granted_at\":\(JSONString.quoted(r.grantedAt.rfc3339)),\"granted_by\":\(JSONString.quoted(r.grantedBy)),\"reason\":\(JSONString.quoted(r.reason)),\"expires_at\":\(r.expiresAt.map { JSONString.quoted($0.rfc3339) } ?? "null"),\"seq\":\(r.seq)}"
        }
        return "{\"user_id\":\(JSONString.quoted(userID)),\"email\":\(email.map(JSONString.quoted) ?? "null"),\"at\":\(JSONString.quoted(instant.at)),\"at_seq\":\(instant.atSeq),\"policy_sha256\":\(policySHA256.map(JSONString.quoted) ?? "null"),\"roles\":[\(grantsJSON.joined(separator: ","))],\"permissions\":[\(permissions.map(JSONString.quoted).joined(separator: ","))]}"
    }
}

/// `authctl who-can`: the users whose roles granted a permission at an instant, each with the grant (and its
/// `role.granted` event), and the policy rules that could permit it under conditions.
public struct WhoCanReport {
    /// One user who held the permission.
    public struct Holder: Equatable {
        public var userID: String
        public var email: String?
        public var role: String
        public var grant: GrantRecord
    }

    public var permission: String
    public var instant: AuthzAtInstant
    /// Holders, by email then role.
    public var holders: [Holder]
    /// Ids of `permit` rules naming the permission (they allow it only when their conditions hold).
    public var conditionalRules: [String]

    /// The report for `permission` at `instant`.
    public init(permission: String, instant: AuthzAtInstant) {
        self.permission = permission
        self.instant = instant
        let roles = instant.state.roles.mapValues { PermissionSet($0) }
        var holders: [Holder] = []
        for (userID, grants) in instant.state.grants {
            for grant in grants where grant.record.isActive(at: instant.atTime) && roles[grant.role]?.covers(permission) == true {
                holders.append(Holder(userID: userID, email: instant.emails[userID], role: grant.role, grant: grant.record))
            }
        }
        self.holders = holders.sorted { ($0.email ?? $0.userID, $0.role) < ($1.email ?? $1.userID, $1.role) }
        conditionalRules = (instant.state.policy?.rules ?? []).filter { rule in
            rule.effect == .permit && PermissionSet(rule.permissions).covers(permission)
        }.map(\.id)
    }

    /// The report as text.
    public var text: String {
        var lines = ["who can \(AuditText.shown(permission)) at \(instant.at) (through seq \(instant.atSeq)): \(holders.count) grant(s)"]
        for h in holders {
            lines.append(
                "  \(AuditText.shown(h.email ?? "-"))  \(AuditText.shown(h.userID))  role \(AuditText.shown(h.role))  granted \(h.grant.grantedAt.rfc3339) by \(AuditText.shown(h.grant.grantedBy)) (seq \(h.grant.seq)) until \(h.grant.expiresAt?.rfc3339 ?? "-") reason: \(AuditText.shown(h.grant.reason))")
        }
        if !conditionalRules.isEmpty {
            lines.append("also permitted under conditions by rule(s): " + conditionalRules.map(AuditText.shown).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object.
    public var json: String {
        let holdersJSON = holders.map { h in
            "{\"user_id\":\(JSONString.quoted(h.userID)),\"email\":\(h.email.map(JSONString.quoted) ?? "null"),\"role\":\(JSONString.quoted(h.role)),\"granted_at\":\(JSONString.quoted(h.grant.grantedAt.rfc3339)),\"granted_by\":\(JSONString.quoted(h.grant.grantedBy)),\"reason\":\(JSONString.quoted(h.grant.reason)),\"expires_at\":\(h.grant.expiresAt.map { JSONString.quoted($0.rfc3339) } ?? "null"),\"grant_seq\":\(h.grant.seq)}"
        }
        return "{\"permission\":\(JSONString.quoted(permission)),\"at\":\(JSONString.quoted(instant.at)),\"at_seq\":\(instant.atSeq),\"holders\":[\(holdersJSON.joined(separator: ","))],\"conditional_rules\":[\(conditionalRules.map(JSONString.quoted).joined(separator: ","))]}"
    }
}
