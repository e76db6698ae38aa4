import AuthCore
import EventLog
import Foundation
import TextEncoding

/// Renders investigations as text, JSON, or a self-contained HTML page with an SVG timeline.
public enum InvestigationReport {
    private static func describe(_ c: FamilyInvestigation.Context?) -> String {
        guard let c else { return "-" }
        return "seq \(c.seq) at \(c.time.rfc3339) from \(AuditText.shown(c.ip ?? "?")) (\(AuditText.clip(c.userAgent ?? "?", 40)))"
    }

    /// The investigation as text for the terminal (fields escaped).
    public static func text(_ inv: FamilyInvestigation) -> String {
        var lines = ["family \(AuditText.shown(inv.familyID))  session \(AuditText.shown(inv.sessionID ?? "-"))  user \(AuditText.shown(inv.userID ?? "-"))"]
        lines.append("started: \(describe(inv.started))")
        lines.append("")
        lines.append("token tree (\(inv.tokens.count) tokens):")
        let reused = Set(inv.reuses.map(\.tokenHash))
        for token in inv.tokens {
            let indent = String(repeating: "  ", count: min(token.depth, 12))
            var line = "  \(indent)\(AuditText.shown(String(token.hash.prefix(10))))…  issued \(describe(token.issued))"
            if let used = token.used { line += "\n  \(indent)            used   \(describe(used))" }
            if token.viaGrace { line += "  [grace re-exchange]" }
            for reissue in token.reissues { line += "\n  \(indent)            re-issued within grace \(describe(reissue))" }
            if reused.contains(token.hash) { line += "  <== PRESENTED AGAIN" }
            lines.append(line)
        }
        lines.append("")
        if inv.reuses.isEmpty { lines.append("reuse: none") }
        for reuse in inv.reuses {
            lines.append("REUSE of \(AuditText.shown(String(reuse.tokenHash.prefix(10))))…")
            lines.append("  first exchanged: \(describe(reuse.firstUse))")
            lines.append("  presented again: \(describe(reuse.presented))")
            if let delay = reuse.delaySeconds { lines.append("  delay: \(String(format: "%.1f", delay)) s after the rotation") }
            lines.append("  different client: \(reuse.differentClient ? "yes" : "no")")
        }
        if let revoked = inv.revoked { lines.append("family revoked: seq \(revoked.context.seq) at \(revoked.context.time.rfc3339) (\(AuditText.shown(revoked.reason)))") }
        if let revoked = inv.sessionRevoked { lines.append("session revoked: seq \(revoked.context.seq) (\(AuditText.shown(revoked.reason)))") }
        if !inv.activity.isEmpty {
            lines.append("")
            lines.append("account activity while exposed:")
            for a in inv.activity {
                lines.append("  seq \(a.seq)  \(a.time.rfc3339)  \(AuditText.pad(a.type, 24)) \(AuditText.pad(a.ip ?? "-", 16)) branch=\(AuditText.shown(a.branch))")
            }
        }
        lines.append("")
        lines.append("linked identities: \(inv.identities.count)")
        for identity in inv.identities {
            let r = identity.record
            lines.append("  \(AuditText.shown(identity.id))  provider=\(AuditText.shown(r.provider)) subject=\(AuditText.shown(r.subject)) email=\(AuditText.shown(r.email ?? "-")) linked=\(r.linkedAt.rfc3339)")
        }
        lines.append("")
        lines.append("verdict: \(AuditText.shown(inv.verdict))")
        return lines.joined(separator: "\n")
    }

    private static func contextJSON(_ c: FamilyInvestigation.Context?) -> String {
        guard let c else { return "null" }
        return "{\"seq\":\(c.seq),\"time\":\(JSONString.quoted(c.time.rfc3339)),\"ip\":\(c.ip.map(JSONString.quoted) ?? "null"),\"user_agent\":\(c.userAgent.map(JSONString.quoted) ?? "null")}"
    }

    /// The investigation as one JSON object.
    public static func json(_ inv: FamilyInvestigation) -> String {
        let tokens = inv.tokens.map {
            "{\"hash\":\(JSONString.quoted($0.hash)),\"parent\":\($0.parent.map(JSONString.quoted) ?? "null"),\"depth\":\($0.depth),\"grace\":\($0.viaGrace),\"reissues\":[\($0.reissues.map { contextJSON($0) }.joined(separator: ","))],\"issued\":\(contextJSON($0.issued)),\"used\":\(contextJSON($0.used))}"
        }
        let reuses = inv.reuses.map {
            "{\"token_hash\":\(JSONString.quoted($0.tokenHash)),\"first_use\":\(contextJSON($0.firstUse)),\"presented\":\(contextJSON($0.presented)),\"delay_seconds\":\($0.delaySeconds.map { String($0) } ?? "null"),\"different_client\":\($0.differentClient)}"
        }
        let activity = inv.activity.map {
            "{\"seq\":\($0.seq),\"time\":\(JSONString.quoted($0.time.rfc3339)),\"type\":\(JSONString.quoted($0.type)),\"ip\":\($0.ip.map(JSONString.quoted) ?? "null"),\"branch\":\(JSONString.quoted($0.branch))}"
        }
        let identities = inv.identities.map {
            "{\"id\":\(JSONString.quoted($0.id)),\"provider\":\(JSONString.quoted($0.record.provider)),\"issuer\":\(JSONString.quoted($0.record.issuer)),\"subject\":\(JSONString.quoted($0.record.subject)),\"linked_at\":\(JSONString.quoted($0.record.linkedAt.rfc3339))}"
        }
        let revoked = inv.revoked.map { "{\"context\":\(contextJSON($0.context)),\"reason\":\(JSONString.quoted($0.reason))}" } ?? "null"
        let sessionRevoked = inv.sessionRevoked.map { "{\"context\":\(contextJSON($0.context)),\"reason\":\(JSONString.quoted($0.reason))}" } ?? "null"
        return "{\"family_id\":\(JSONString.quoted(inv.familyID)),\"session_id\":\(inv.sessionID.map(JSONString.quoted) ?? "null"),\"user_id\":\(inv.userID.map(JSONString.quoted) ?? "null"),\"started\":\(contextJSON(inv.started)),\"tokens\":[\(tokens.joined(separator: ","))],\"reuses\":[\(reuses.joined(separator: ","))],\"family_revoked\":\(revoked),\"session_revoked\":\(sessionRevoked),\"activity\":[\(activity.joined(separator: ","))],\"linked_identities\":[\(identities.joined(separator: ","))],\"verdict\":\(JSONString.quoted(inv.verdict))}"
    }

    /// HTML-escaped, after the terminal escape (no control or bidi character reaches the page either).
    private static func escape(_ text: String) -> String {
        AuditText.shown(text).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A timeline: one lane per client (IP + user agent), tokens as dots where they were exchanged, tree edges between
    /// a parent's exchange and its child's, the reuse in red, the revocation as a vertical line.
    public static func svg(_ inv: FamilyInvestigation) -> String {
        var contexts: [FamilyInvestigation.Context] = []
        if let started = inv.started { contexts.append(started) }
        for token in inv.tokens { contexts.append(token.issued); if let used = token.used { contexts.append(used) } }
        for reuse in inv.reuses { contexts.append(reuse.presented) }
        if let revoked = inv.revoked { contexts.append(revoked.context) }
        var lanes: [String] = []
        func lane(_ c: FamilyInvestigation.Context) -> Int {
            let key = "\(c.ip ?? "?") · \(AuditText.clip(c.userAgent ?? "?", 24))"
            if let index = lanes.firstIndex(of: key) { return index }
            lanes.append(key)
            return lanes.count - 1
        }
        for c in contexts { _ = lane(c) }
        let times = contexts.map(\.time.microseconds)
        let t0 = times.min() ?? 0
        let t1 = max(times.max() ?? 1, t0 + 1)
        let left = 300.0, width = 620.0, laneHeight = 56.0, top = 40.0
        let height = top + Double(lanes.count) * laneHeight + 50
        func x(_ t: Timestamp) -> Double { left + width * Double(t.microseconds - t0) / Double(t1 - t0) }
        func y(_ c: FamilyInvestigation.Context) -> Double { top + Double(lane(c)) * laneHeight + laneHeight / 2 }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 940 \(Int(height))\" role=\"img\" aria-label=\"timeline\">"
        for (index, name) in lanes.enumerated() {
            let ly = top + Double(index) * laneHeight
            out += "<rect x=\"0\" y=\"\(ly)\" width=\"940\" height=\"\(laneHeight)\" fill=\"\(index % 2 == 0 ? "#f6f7f9" : "#ffffff")\"/>"
            out += "<text x=\"8\" y=\"\(ly + laneHeight / 2 + 4)\" class=\"lane\">\(escape(name))</text>"
        }
        out += "<line x1=\"\(left)\" y1=\"\(height - 30)\" x2=\"\(left + width)\" y2=\"\(height - 30)\" stroke=\"#999\"/>"
        out += "<text x=\"\(left)\" y=\"\(height - 12)\" class=\"axis\">\(escape(Timestamp(microseconds: t0).rfc3339))</text>"
        out += "<text x=\"\(left + width)\" y=\"\(height - 12)\" class=\"axis\" text-anchor=\"end\">\(escape(Timestamp(microseconds: t1).rfc3339))</text>"
        // Tree edges: from where a parent was exchanged to where the child was exchanged.
        for token in inv.tokens {
            guard let used = token.used else { continue }
            out += "<line x1=\"\(x(token.issued.time))\" y1=\"\(y(token.issued))\" x2=\"\(x(used.time))\" y2=\"\(y(used))\" stroke=\"#4a78c2\" stroke-width=\"2\"/>"
        }
        if let started = inv.started {
            out += "<circle cx=\"\(x(started.time))\" cy=\"\(y(started))\" r=\"7\" fill=\"#2e8b57\"><title>login, seq \(started.seq)</title></circle>"
        }
        for token in inv.tokens {
            guard let used = token.used else { continue }
            out += "<circle cx=\"\(x(used.time))\" cy=\"\(y(used))\" r=\"5\" fill=\"#4a78c2\"><title>rotation, seq \(used.seq)</title></circle>"
        }
        for reuse in inv.reuses {
            if let first = reuse.firstUse {
                out += "<line x1=\"\(x(first.time))\" y1=\"\(y(first))\" x2=\"\(x(reuse.presented.time))\" y2=\"\(y(reuse.presented))\" stroke=\"#d0312d\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/>"
            }
            out += "<circle cx=\"\(x(reuse.presented.time))\" cy=\"\(y(reuse.presented))\" r=\"8\" fill=\"#d0312d\"><title>reuse, seq \(reuse.presented.seq)</title></circle>"
            out += "<text x=\"\(x(reuse.presented.time) + 10)\" y=\"\(y(reuse.presented) - 10)\" class=\"alert\">reuse</text>"
        }
        if let revoked = inv.revoked {
            let rx = x(revoked.context.time)
            out += "<line x1=\"\(rx)\" y1=\"\(top - 10)\" x2=\"\(rx)\" y2=\"\(height - 30)\" stroke=\"#d0312d\" stroke-width=\"1.5\"/>"
            out += "<text x=\"\(rx - 4)\" y=\"\(top - 16)\" class=\"alert\" text-anchor=\"end\">revoked (seq \(revoked.context.seq))</text>"
        }
        return out + "</svg>"
    }

    /// A self-contained HTML page of `investigations`, each with its timeline.
    public static func html(_ investigations: [FamilyInvestigation]) -> String {
        var body = ""
        for inv in investigations {
            let alert = !inv.reuses.isEmpty
            body += "<section><h2>Family <code>\(escape(inv.familyID))</code></h2>"
            body += "<p class=\"verdict \(alert ? "bad" : "ok")\">\(escape(inv.verdict))</p>"
            body += "<dl><dt>User</dt><dd><code>\(escape(inv.userID ?? "-"))</code></dd><dt>Session</dt><dd><code>\(escape(inv.sessionID ?? "-"))</code></dd>"
            if let started = inv.started {
                body += "<dt>Login</dt><dd>seq \(started.seq), \(escape(started.time.rfc3339)), \(escape(started.ip ?? "?")), \(escape(started.userAgent ?? "?"))</dd>"
            }
            body += "</dl><figure>\(svg(inv))<figcaption>Lanes are clients (IP · user agent). Blue: rotations along the token tree; red: a used token presented again; red line: revocation.</figcaption></figure>"
            if !inv.reuses.isEmpty {
                body += "<h3>Reuse</h3><table><tr><th>Token</th><th>First exchanged</th><th>Presented again</th><th>Delay</th><th>Different client</th></tr>"
                for reuse in inv.reuses {
                    body += "<tr class=\"bad\"><td><code>\(escape(String(reuse.tokenHash.prefix(12))))…</code></td>"
                    body += "<td>\(reuse.firstUse.map { "seq \($0.seq) · \(escape($0.time.rfc3339)) · \(escape($0.ip ?? "?")) · \(escape($0.userAgent ?? "?"))" } ?? "-")</td>"
                    body += "<td>seq \(reuse.presented.seq) · \(escape(reuse.presented.time.rfc3339)) · \(escape(reuse.presented.ip ?? "?")) · \(escape(reuse.presented.userAgent ?? "?"))</td>"
                    body += "<td>\(reuse.delaySeconds.map { String(format: "%.1f s", $0) } ?? "-")</td><td>\(reuse.differentClient ? "yes" : "no")</td></tr>"
                }
                body += "</table>"
            }
            body += "<h3>Tokens</h3><table><tr><th>#</th><th>Token (SHA-256)</th><th>Issued</th><th>Exchanged</th></tr>"
            let reused = Set(inv.reuses.map(\.tokenHash))
            for (index, token) in inv.tokens.enumerated() {
                body += "<tr\(reused.contains(token.hash) ? " class=\"bad\"" : "")><td>\(index + 1)</td><td><code>\(String(repeating: "· ", count: min(token.depth, 8)))\(escape(String(token.hash.prefix(12))))…</code>\(token.viaGrace ? " <em>grace</em>" : "")</td>"
                body += "<td>seq \(token.issued.seq) · \(escape(token.issued.ip ?? "?"))</td><td>\(token.used.map { "seq \($0.seq) · \(escape($0.ip ?? "?"))" } ?? "—")</td></tr>"
            }
            body += "</table>"
            if !inv.activity.isEmpty {
                body += "<h3>Account activity while exposed</h3><table><tr><th>Seq</th><th>Time</th><th>Event</th><th>IP</th><th>Branch</th></tr>"
                for a in inv.activity {
                    body += "<tr\(a.branch == "reuser" ? " class=\"bad\"" : "")><td>\(a.seq)</td><td>\(escape(a.time.rfc3339))</td><td>\(escape(a.type))</td><td>\(escape(a.ip ?? "-"))</td><td>\(escape(a.branch))</td></tr>"
                }
                body += "</table>"
            }
            body += "</section>"
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refresh-token investigation</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:980px;color:#1d2330;padding:0 1rem}
            h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;border-bottom:1px solid #dde1e8;padding-bottom:.3rem}
            h3{font-size:1rem;margin-top:1.4rem}code{font:12px ui-monospace,Menlo,monospace;background:#f1f3f6;padding:1px 4px;border-radius:3px}
            .verdict{padding:.7rem 1rem;border-radius:6px;font-weight:600}.verdict.bad{background:#fde8e7;color:#9b1c17;border:1px solid #f3b8b5}
            .verdict.ok{background:#e7f5ec;color:#1d6b3a;border:1px solid #b5e0c4}dl{display:grid;grid-template-columns:7rem 1fr;gap:.2rem .8rem}dt{color:#5b6475}dd{margin:0}
            figure{margin:1rem 0;border:1px solid #dde1e8;border-radius:6px;padding:.5rem}figcaption{color:#5b6475;font-size:12px;margin-top:.3rem}
            svg{width:100%;height:auto}svg .lane{font:11px ui-monospace,Menlo,monospace;fill:#333}svg .axis{font:10px system-ui;fill:#666}svg .alert{font:11px system-ui;fill:#d0312d;font-weight:600}
            table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eceff3;vertical-align:top}
            th{background:#f6f7f9}tr.bad td{background:#fff4f3}.meta{color:#5b6475}
            </style></head><body><h1>Refresh-token investigation</h1><p class="meta">Generated by authctl investigate from the event log. Token values are SHA-256 hashes; no usable secret is shown.</p>
            \(body)</body></html>
            """
    }
}
