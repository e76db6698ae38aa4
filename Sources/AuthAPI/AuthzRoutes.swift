import AuthCore
import AuthHTTP
import EventLog
import Hummingbird
import StrictJSON

/// The answer of `POST /v1/authz/check`.
struct AuthzCheckResponse {
    let allowed: Bool
    let reason: String

    /// `{"allowed":…,"reason":…}`.
    var json: JSONWriter {
        var writer = JSONWriter()
        writer.add("allowed", allowed)
        writer.add("reason", reason)
        return writer
    }
}

/// The answer of `POST /v1/authz/check-batch`.
struct AuthzBatchResponse {
    let results: [AuthzCheckResponse]

    /// `{"results":[…]}` as a 200 response with `Cache-Control: no-store` and `Pragma: no-cache`.
    func response() -> Response {
        var body = Array(#"{"results":["#.utf8)
        body.reserveCapacity(results.count * 48 + 16)
        for (index, result) in results.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: result.json.finished)
        }
        body.append(contentsOf: "]}".utf8)
        return JSONWriter.response(body)
    }
}

/// One check of a request body, parsed: `{permission, resource?, context?, subject?}`.
struct AuthzCheckInput {
    var permission: String
    var resource: [String: AttributeValue]
    var context: [String: AttributeValue]
    var subject: String?

    /// Most checks in one batch.
    static let maxBatch = 100
    /// The members a check object may have.
    static let members: Set<String> = ["permission", "resource", "context", "subject"]

    /// Parses one check object; `field` prefixes the names in errors (`checks[3].`).
    static func parse(_ json: JSONValue, field: String) throws(Problem) -> AuthzCheckInput {
        guard let members = json.objectValue else { throw Problem.invalidField(field.isEmpty ? "body" : String(field.dropLast()), reason: "not_object") }
        for key in members.keys where !Self.members.contains(key) {
            throw Problem.invalidBody("unknown field '\(field)\(key)'", errors: [(field + key, "unknown")])
        }
        guard let permission = members["permission"]?.stringValue, PermissionSet.isValidPermission(permission) else {
            throw Problem.invalidField(field + "permission", reason: "invalid", detail: "field '\(field)permission' must be a permission such as posts:read")
        }
        var input = AuthzCheckInput(permission: permission, resource: [:], context: [:], subject: nil)
        if let value = members["resource"] { input.resource = try attributes(value, name: "resource", field: field) }
        if let value = members["context"] { input.context = try attributes(value, name: "context", field: field) }
        if let subject = members["subject"] {
            guard let text = subject.stringValue, Identifier.isWellFormed(text, prefix: "usr_") else {
                throw Problem.invalidField(field + "subject", reason: "invalid", detail: "field '\(field)subject' must be a user id")
            }
            input.subject = text
        }
        return input
    }

    /// The attributes of the member `name` (`resource` or `context`).
    private static func attributes(_ value: JSONValue, name: String, field: String) throws(Problem) -> [String: AttributeValue] {
        switch AttributeObject.parse(value) {
        case .success(let attributes): return attributes
        case .failure(let error):
            throw Problem.invalidField(field + name, reason: "invalid", detail: "field '\(field)\(name)': \(error.description)")
        }
    }
}

extension AuthService {
    func addAuthzRoutes(_ routes: AuthRoutes) {
        let user = routes.authenticated(by: self)
        user.post("/v1/authz/check") { request, context in
            let json = try await Self.jsonObject(request, context: context)
            let input = try AuthzCheckInput.parse(json, field: "")
            let snapshot = self.authz.snapshot
            // Written by hand: this endpoint is called on every request of an app, and JSONEncoder costs more than the
            // decision.
            return try self.decide([input], principal: context.principal, snapshot: snapshot)[0].json.response()
        }
        user.post("/v1/authz/check-batch") { request, context in
            let json = try await Self.jsonObject(request, context: context)
            guard let members = json.objectValue, members.count == 1, let checks = members["checks"]?.arrayValue else {
                throw Problem.invalidField("checks", reason: "invalid", detail: "the body must be {\"checks\": [...]}")
            }
            guard !checks.isEmpty, checks.count <= AuthzCheckInput.maxBatch else {
                throw Problem.invalidField("checks", reason: "size", detail: "field 'checks' must hold 1 to \(AuthzCheckInput.maxBatch) checks")
            }
            var inputs: [AuthzCheckInput] = []
            for (index, check) in checks.enumerated() { inputs.append(try AuthzCheckInput.parse(check, field: "checks[\(index)].")) }
            // One snapshot for the whole batch: every answer comes from the same roles and rules.
            let snapshot = self.authz.snapshot
            return AuthzBatchResponse(results: try self.decide(inputs, principal: context.principal, snapshot: snapshot)).response()
        }
    }

    /// The body as a JSON value (media type, size and strict syntax checked).
    static func jsonObject(_ request: Request, context: AuthenticatedContext) async throws -> JSONValue {
        let bytes = try await request.jsonBodyBytes(limit: context.maxUploadSize)
        do {
            return try StrictJSONParser.parse(bytes)
        } catch {
            throw Problem.invalidBody("the body is not valid JSON")
        }
    }

    /// Decides `inputs` against `snapshot`. A check without `subject` is the caller's own: the server's context
    /// (``serverContext(_:for:)``) replaces the client's values of those keys. Naming a `subject` needs `authz:check`;
    /// such a check is about another user's request, so its context is the caller's to give (only the time is the
    /// server's).
    func decide(_ inputs: [AuthzCheckInput], principal: Principal, snapshot: AuthzSnapshot) throws -> [AuthzCheckResponse] {
        let now = clock.now()
        if inputs.contains(where: { $0.subject != nil && $0.subject != principal.userID }) {
            let request = AuthzRequest(subject: principal.userID, permission: "authz:check", context: try serverContext(principal, for: snapshot))
            guard snapshot.check(request, at: now).allowed else {
                throw Problem.forbidden(permission: "authz:check", detail: "naming another subject needs the permission authz:check")
            }
        }
        let own = try serverContext(principal, for: snapshot)
        return inputs.map { input in
            var request = AuthzRequest(subject: input.subject ?? principal.userID, permission: input.permission, resource: input.resource)
            if let subject = input.subject, subject != principal.userID {
                request.context = input.context.merging(Self.timeContext(now)) { _, server in server }
            } else if input.context.isEmpty {
                request.context = own  // the usual call: nothing of the client's to filter
            } else {
                request.context = input.context.filter { !AuthzRequest.serverContextKeys.contains($0.key) }.merging(own) { _, server in server }
            }
            let decision = snapshot.check(request, at: now)
            return AuthzCheckResponse(allowed: decision.allowed, reason: decision.reason)
        }
    }
}
