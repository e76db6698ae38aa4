import AuthCrypto
import CBOR
import EventLog

/// A user's data, for the user (`GET /v1/me/export`) and for ops (`authctl export --user`): the account and every
/// event of the user's stream, decoded to JSON, personal data opened with the user's key (the address, client IPs
/// and user agents: ``PersonalDataVault``). Nothing secret leaves: other byte strings (token hashes, sealed seeds and
/// tokens, keys), fields named `*_hash` / `*_hashes` (password hashes) or `sealed_*`, and `subject` (a keyed hash) are
/// left out of the payloads and listed by name in `withheld`.
public enum AccountExport {
    /// Whether a payload field is withheld from exports.
    public static func isWithheld(_ key: String, _ value: CBORValue) -> Bool {
        if case .byteString = value { return true }
        return key.hasSuffix("_hash") || key.hasSuffix("_hashes") || key.hasPrefix("sealed_") || key == "subject"
    }

    /// The export of `userID` as one JSON object
    /// `{"format": "authd-export-v1", "account": {...}, "events": [{"seq", "time", "type", "version", "actor", "request", "payload", "withheld"}]}`,
    /// or `nil` if there is no such user.
    public static func json(userID: String, in context: ReadContext, vault: PersonalDataVault?) throws -> String? {
        let queries = Queries(context, vault: vault)
        guard let account = try queries.account(userID) else { return nil }
        var out = "{\"format\":\"authd-export-v1\",\"account\":" + account.json + ",\"events\":["
        var first = true
        for seq in try context.seqs(in: StreamRef(.user, userID)) {
            guard let event = try context.event(seq) else { continue }
            if !first { out += "," }
            first = false
            out += render(event, request: try queries.request(of: event), opened: try queries.sealedPayloadText(of: event))
        }
        return out + "]}"
    }

    /// One event: envelope fields (with `request`, opened) and the payload without withheld fields, the sealed
    /// personal fields replaced by their `opened` text.
    static func render(_ event: RecordedEvent, request: RequestInfo, opened: [String: String]) -> String {
        let actor = event.actor
        var out = "{\"seq\":\(event.seq),\"time\":\(JSONString.quoted(event.timestamp.rfc3339)),\"type\":\(JSONString.quoted(event.type)),"
        out += "\"version\":\(event.version),"
        out += "\"actor\":{\"kind\":\(JSONString.quoted(actor.kind.rawValue)),\"id\":\(actor.id.map(JSONString.quoted) ?? "null")},"
        out += "\"request\":{\"request_id\":\(request.requestID.map(JSONString.quoted) ?? "null"),"
        out += "\"ip\":\(request.clientIP.map(JSONString.quoted) ?? "null"),\"user_agent\":\(request.userAgent.map(JSONString.quoted) ?? "null")},"
        var kept: [(key: CBORValue, value: CBORValue)] = []
        var withheld: [String] = []
        if case .map(let pairs)? = try? CBORDecoder().decode(event.payload) {
            for pair in pairs {
                guard case .textString(let key) = pair.key else { continue }
                if let text = opened[key] {
                    kept.append((key: pair.key, value: .textString(text)))
                } else if isWithheld(key, pair.value) { withheld.append(key) } else { kept.append(pair) }
            }
        }
        out += "\"payload\":" + CBORValue.map(kept).jsonString() + ","
        out += "\"withheld\":[" + withheld.map(JSONString.quoted).joined(separator: ",") + "]}"
        return out
    }
}
