import AuthCore
import AuthCrypto
import EventLog
import Foundation
import ProjectionRebuild
import TextEncoding

/// A user's state at one instant, folded from the user's own events (found through the index).
public struct UserSnapshot {
    public var userID: String
    public var at: String
    public var atSeq: UInt64
    public var atTime: Timestamp
    public var email: String?
    public var events: Int
    public var sessions: [(id: String, record: SessionRecord)]
    public var families: [(id: String, record: FamilyRecord)]
    public var passkeys: [(id: String, record: PasskeyRecord)]
    public var mfa: MFARecord
    /// The external identities linked at that instant, oldest first.
    public var identities: [(id: String, record: IdentityRecord)] = []

    /// The state of `userID` after their events up to `seq` or `time` (the first limit reached), folded into scratch
    /// projections from the user's stream alone. The address and the sessions' client IPs and user agents are opened
    /// with `vault` (``PersonalDataVault/erased`` for a deleted user, ``PersonalDataVault/sealed`` without keys).
    public static func build(
        userID: String, seq: UInt64?, time: Timestamp?, in context: ReadContext, vault: PersonalDataVault? = nil
    ) throws -> UserSnapshot {
        let queries = Queries(context, vault: vault)
        let scratch = ScratchProjections(DomainProjections.all)
        var lastSeq: UInt64 = 0
        var lastTime = Timestamp(microseconds: 0)
        var count = 0
        for eventSeq in try context.seqs(in: StreamRef(.user, userID)) {
            if let seq, eventSeq > seq { break }
            guard let event = try context.event(eventSeq) else { continue }
            if let time, event.timestamp > time { break }
            try scratch.apply(event)
            lastSeq = eventSeq
            lastTime = event.timestamp
            count += 1
        }
        let instant = time ?? (seq.flatMap { try? context.event($0)?.timestamp } ?? lastTime)
        let user = try scratch.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of(userID))
        let sessions = try scratch.entries(SessionsProjection(), "by_id").map { entry -> (id: String, record: SessionRecord) in
            var record = try SessionRecord(bytes: entry.value)
            (record.clientIP, record.userAgent) = try queries.origin(of: record)
            return (id: String(decoding: entry.key, as: UTF8.self), record: record)
        }.filter { $0.record.userID == userID && $0.record.isActive(at: instant) }
        let families = try scratch.entries(RefreshProjection(), "families").map {
            (id: String(decoding: $0.key, as: UTF8.self), record: try FamilyRecord(bytes: $0.value))
        }.filter { $0.record.userID == userID }
        // `by_id` is keyed by SHA-256 of the credential id; `by_user` holds the id itself.
        let passkeys = try scratch.entries(PasskeysProjection(), "by_user").compactMap { entry -> (id: String, record: PasskeyRecord)? in
            let id = String(decoding: entry.value, as: UTF8.self)
            guard let record = try scratch.table(PasskeysProjection(), "by_id").record(PasskeyRecord.self, PasskeysProjection.idKey(id))
            else { return nil }
            return (id: id, record: record)
        }.filter { $0.record.userID == userID }.sorted { $0.record.createdAt < $1.record.createdAt }
        let mfa = try scratch.table(MFAProjection(), "by_user").record(MFARecord.self, Key.of(userID)) ?? MFARecord()
        let identities = try queries.opened(
            scratch.entries(IdentitiesProjection(), "by_id").map {
                FoundIdentity(id: String(decoding: $0.key, as: UTF8.self), record: try IdentityRecord(bytes: $0.value))
            }.filter { $0.record.userID == userID }.sorted { ($0.record.linkedAt, $0.id) < ($1.record.linkedAt, $1.id) }
        ).map { (id: $0.id, record: $0.record) }
        return UserSnapshot(
            userID: userID, at: time?.rfc3339 ?? "seq \(seq ?? lastSeq)", atSeq: seq ?? lastSeq, atTime: instant,
            email: try user.map { try queries.email(of: $0, userID: userID) }, events: count, sessions: sessions, families: families, passkeys: passkeys, mfa: mfa,
            identities: identities)
    }

    /// The snapshot as text for the terminal (fields escaped).
    public var text: String {
        var lines = ["user \(AuditText.shown(userID)) (\(AuditText.shown(email ?? "unknown email"))) at \(at) — \(events) of the user's events applied"]
        lines.append("")
        lines.append("active sessions: \(sessions.count)")
        for (id, s) in sessions {
            lines.append("  \(AuditText.shown(id))  aal=\(AuditText.shown(s.aal)) mode=\(AuditText.shown(s.mode)) created=\(s.createdAt.rfc3339) last_seen=\(s.lastSeenAt.rfc3339) ip=\(AuditText.shown(s.clientIP ?? "-")) ua=\(AuditText.clip(s.userAgent ?? "-", 30))\(s.familyID.map { " family=\(AuditText.shown($0))" } ?? "")")
        }
        lines.append("")
        lines.append("refresh families: \(families.count)")
        for (id, f) in families {
            let status = f.revokedReason.map { "revoked (\(AuditText.shown($0)))" } ?? (atTime < f.expiresAt ? "active" : "expired")
            lines.append("  \(AuditText.shown(id))  session=\(AuditText.shown(f.sessionID)) status=\(status) live_leaf=\(f.revokedReason == nil ? Encoding.base64URL(f.currentHash) : "-")")
        }
        lines.append("")
        lines.append("passkeys: \(passkeys.count)")
        for (id, p) in passkeys {
            lines.append("  \(AuditText.clip(id, 28))  name=\(AuditText.shown(p.name)) counter=\(p.signCount) alg=\(p.algorithm) created=\(p.createdAt.rfc3339)")
        }
        lines.append("")
        lines.append("mfa: " + mfaSummary)
        lines.append("")
        lines.append("linked identities: \(identities.count)")
        for (id, i) in identities {
            lines.append("  \(AuditText.shown(id))  provider=\(AuditText.shown(i.provider)) issuer=\(AuditText.shown(i.issuer)) subject=\(AuditText.shown(i.subject)) email=\(AuditText.shown(i.email ?? "-")) verified=\(i.emailVerified) linked=\(i.linkedAt.rfc3339)")
        }
        return lines.joined(separator: "\n")
    }

    /// TOTP on/off (since when, last used step), backup codes left, pending enrollment and recovery.
    public var mfaSummary: String {
        var parts: [String] = []
        if mfa.isEnabled {
            parts.append("totp enabled since \(mfa.enabledAt?.rfc3339 ?? "?") (last step \(mfa.lastStep.map(String.init) ?? "-"))")
            parts.append("backup codes left \(mfa.backupCodesRemaining)/\(mfa.backupCodeHashes.count)")
        } else {
            parts.append("totp off")
        }
        if let expiry = mfa.pendingExpiresAt, atTime < expiry { parts.append("enrollment pending until \(expiry.rfc3339)") }
        if let recoveryID = mfa.pendingRecovery(at: atTime) {
            parts.append("recovery \(AuditText.shown(recoveryID)) pending, completable from \(mfa.recoveryNotBefore?.rfc3339 ?? "?")")
        }
        return parts.joined(separator: "; ")
    }

    /// The snapshot as one JSON object.
    public var json: String {
        let sessionsJSON = sessions.map { id, s in
            "{\"id\":\(JSONString.quoted(id)),\"aal\":\(JSONString.quoted(s.aal)),\"mode\":\(JSONString.quoted(s.mode)),\"created\":\(JSONString.quoted(s.createdAt.rfc3339)),\"last_seen\":\(JSONString.quoted(s.lastSeenAt.rfc3339)),\"ip\":\(s.clientIP.map(JSONString.quoted) ?? "null"),\"family_id\":\(s.familyID.map(JSONString.quoted) ?? "null")}"
        }
        let familiesJSON = families.map { id, f in
            "{\"id\":\(JSONString.quoted(id)),\"session_id\":\(JSONString.quoted(f.sessionID)),\"revoked\":\(f.revokedReason.map(JSONString.quoted) ?? "null"),\"live_leaf\":\(f.revokedReason == nil ? JSONString.quoted(Encoding.base64URL(f.currentHash)) : "null")}"
        }
        let recovery = mfa.pendingRecovery(at: atTime).map {
            "{\"id\":\(JSONString.quoted($0)),\"not_before\":\(JSONString.quoted(mfa.recoveryNotBefore?.rfc3339 ?? ""))}"
        }
        let mfaJSON = "{\"totp_enabled\":\(mfa.isEnabled),\"last_step\":\(mfa.lastStep.map(String.init) ?? "null"),\"backup_codes_remaining\":\(mfa.isEnabled ? mfa.backupCodesRemaining : 0),\"recovery\":\(recovery ?? "null")}"
        let identitiesJSON = identities.map { id, i in
            "{\"id\":\(JSONString.quoted(id)),\"provider\":\(JSONString.quoted(i.provider)),\"issuer\":\(JSONString.quoted(i.issuer)),\"subject\":\(JSONString.quoted(i.subject)),\"email\":\(i.email.map(JSONString.quoted) ?? "null"),\"email_verified\":\(i.emailVerified),\"linked_at\":\(JSONString.quoted(i.linkedAt.rfc3339))}"
        }
        let passkeysJSON = passkeys.map { id, p in
            "{\"id\":\(JSONString.quoted(id)),\"name\":\(JSONString.quoted(p.name)),\"sign_count\":\(p.signCount)}"
        }
        return "{\"user_id\":\(JSONString.quoted(userID)),\"email\":\(email.map(JSONString.quoted) ?? "null"),\"at\":\(JSONString.quoted(at)),\"at_seq\":\(atSeq),\"sessions\":[\(sessionsJSON.joined(separator: ","))],\"families\":[\(familiesJSON.joined(separator: ","))],\"passkeys\":[\(passkeysJSON.joined(separator: ","))],\"mfa\":\(mfaJSON),\"identities\":[\(identitiesJSON.joined(separator: ","))]}"
    }
}
