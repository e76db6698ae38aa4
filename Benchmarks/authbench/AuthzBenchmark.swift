import ArgumentParser
import AuthAPI
import AuthCore
import AuthHTTP
import EventLog
import Foundation
import Hummingbird

/// `authbench authz`: authorization decisions in process (10,000 users, 50 roles, 20 rules: p50/p99 of one check,
/// RBAC only and with ABAC rules) and over HTTP (`POST /v1/authz/check` and a batch of 100 vs `GET /healthz`, with
/// wrk, in the same run).
struct AuthzBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authz",
        abstract: "Authorization figures: in-process check p50/p99 (RBAC only, with ABAC), check and batch rps vs healthz rps.",
        discussion: """
            inproc_rbac_p50_ns / p99: a role permission check of a random user among 10,000 (50 roles, 1 to 3 grants \
            each), no rules; inproc_abac_*: the same with 20 rules, requests naming resources the rules read. \
            check_rps vs hello_rps: POST /v1/authz/check and GET /healthz, interleaved wrk rounds on one server \
            (validate_rps: GET /v1/session, the authentication every check includes); \
            batch_checks_per_s: POST /v1/authz/check-batch with 100 checks per request.
            """)

    @Option(help: "Users in the snapshot.") var users: Int = 10_000
    @Option(help: "Roles.") var roles: Int = 50
    @Option(help: "ABAC rules.") var rules: Int = 20
    @Option(help: "Timed checks per in-process figure.") var iterations: Int = 1_000_000
    @Option(help: "Seconds per wrk round (4 interleaved rounds per endpoint).") var duration: Double = 3
    @Option(help: "Connections for wrk.") var connections: Int = 64
    @Option(help: "The wrk binary ('none' skips the HTTP figures).") var wrk: String = "/usr/bin/wrk"

    /// The policy: `roles` roles of 10 permissions (some wildcards) and `rules` rules over `documents:*` and others.
    static func policy(roles: Int, rules: Int) -> String {
        var roleMembers: [String] = []
        for r in 0..<roles {
            var permissions = (0..<9).map { "\"res\(r % 17):act\($0)\"" }
            permissions.append(r % 5 == 0 ? "\"res\(r % 17):*\"" : "\"admin:res\(r):read\"")
            roleMembers.append("\"role\(r)\": [\(permissions.joined(separator: ","))]")
        }
        var ruleItems: [String] = []
        for i in 0..<rules {
            let effect = i % 3 == 0 ? "forbid" : "permit"
            let permission = i % 2 == 0 ? "documents:*" : "documents:read"
            let when: String
            switch i % 4 {
            case 0: when = #"[{"attr": "user.clearance", "op": "lt", "ref": "resource.level"}, {"attr": "resource.kind", "op": "eq", "value": "k\#(i)"}]"#
            case 1: when = #"[{"attr": "user.department", "op": "eq", "ref": "resource.department"}]"#
            case 2: when = #"[{"attr": "resource.classification", "op": "eq", "value": "c\#(i)"}, {"attr": "context.aal", "op": "ne", "value": "aal2"}]"#
            default: when = #"[{"attr": "context.ip", "op": "cidr", "value": "10.\#(i).0.0/16"}, {"attr": "resource.owner_id", "op": "eq", "ref": "user.id"}]"#
            }
            ruleItems.append(#"{"id": "rule\#(i)", "effect": "\#(effect)", "permissions": ["\#(permission)"], "when": \#(when)}"#)
        }
        return "{\"roles\": {\(roleMembers.joined(separator: ","))}, \"rules\": [\(ruleItems.joined(separator: ","))]}"
    }

    func run() throws {
        var rng = SplitMix64(seed: 7)
        let document = Self.policy(roles: roles, rules: rules)
        let policy = try Policy.parse(Array(document.utf8))
        let now = Timestamp(seconds: 1_767_225_600)
        var state = AuthzState(policy: Policy(roles: policy.roles))
        let userIDs = (0..<users).map { "usr_bench\(String(format: "%08d", $0))" }
        for user in userIDs {
            let count = Int(rng.next() % 3) + 1
            state.grants[user] = (0..<count).map { _ in
                AuthzState.Grant(
                    role: "role\(rng.next() % UInt64(roles))",
                    record: GrantRecord(grantedAt: now, expiresAt: nil, grantedBy: "authctl", reason: "bench", seq: 1))
            }
            state.attributes[user] = ["department": .string("d\(rng.next() % 8)"), "clearance": .number(Double(rng.next() % 5))]
        }
        print("snapshot: \(users) users, \(roles) roles, \(rules) rules")

        // RBAC only: a random user and one of the permissions of the role universe.
        let rbac = AuthzSnapshot(state: state)
        let rbacRequests = (0..<4096).map { _ in
            AuthzRequest(subject: userIDs[Int(rng.next() % UInt64(users))], permission: "res\(rng.next() % 17):act\(rng.next() % 10)")
        }
        let (rbacP50, rbacP99, rbacAllowed) = Self.timeChecks(rbac, rbacRequests, iterations: iterations, now: now)
        report("inproc_rbac_p50_ns", rbacP50)
        report("inproc_rbac_p99_ns", rbacP99)
        report("inproc_rbac_allowed_share", rbacAllowed, decimals: 3)

        // With ABAC: the same users, the 20 rules, requests on documents with the attributes the rules read.
        state.policy = policy
        let abac = AuthzSnapshot(state: state)
        let abacRequests = (0..<4096).map { index -> AuthzRequest in
            let user = userIDs[Int(rng.next() % UInt64(users))]
            return AuthzRequest(
                subject: user, permission: index % 2 == 0 ? "documents:read" : "documents:update",
                resource: [
                    "type": .string("document"), "id": .string("doc\(index)"), "owner_id": .string(index % 3 == 0 ? user : "usr_other"),
                    "department": .string("d\(rng.next() % 8)"), "level": .number(Double(rng.next() % 5)),
                    "kind": .string("k\(rng.next() % 20)"), "classification": .string("c\(rng.next() % 20)"),
                ],
                context: ["aal": .string(index % 2 == 0 ? "aal2" : "aal1"), "ip": .string("10.\(rng.next() % 20).1.2"),
                          "auth_age_seconds": .number(60), "time.hour_utc": .number(10), "time.weekday_utc": .number(2)])
        }
        let (abacP50, abacP99, abacAllowed) = Self.timeChecks(abac, abacRequests, iterations: iterations, now: now)
        report("inproc_abac_p50_ns", abacP50)
        report("inproc_abac_p99_ns", abacP99)
        report("inproc_abac_allowed_share", abacAllowed, decimals: 3)

        guard wrk != "none" else { return }
        try httpFigures(document: document)
    }

    /// p50 and p99 of single checks (each timed alone, the clock's own cost subtracted), and the share allowed.
    static func timeChecks(_ snapshot: AuthzSnapshot, _ requests: [AuthzRequest], iterations: Int, now: Timestamp) -> (Double, Double, Double) {
        var allowed = 0
        for request in requests where snapshot.check(request, at: now).allowed { allowed += 1 }
        var overhead: [UInt64] = []
        for _ in 0..<10_000 {
            let start = nanoseconds()
            overhead.append(nanoseconds() - start)
        }
        overhead.sort()
        let clockCost = overhead[overhead.count / 2]
        var samples = [UInt64](repeating: 0, count: iterations)
        var sink = 0
        for index in 0..<iterations {
            let request = requests[index & (requests.count - 1)]
            let start = nanoseconds()
            let decision = snapshot.check(request, at: now)
            let end = nanoseconds()
            if decision.allowed { sink &+= 1 }
            samples[index] = end - start
        }
        samples.sort()
        func at(_ q: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * q))] &- min(clockCost, samples[0])) }
        if sink == -1 { print(sink) }
        return (at(0.5), at(0.99), Double(allowed) / Double(requests.count))
    }

    /// Monotonic nanoseconds.
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// The server with the policy and a user holding a role; wrk on check, batch and healthz.
    func httpFigures(document: String) throws {
        let directory = try temporaryDirectory("authz")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policyPath = directory + "/policy.json"
        try document.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var configuration = ServerConfiguration(
            dataDirectory: data, host: "127.0.0.1", port: 0, argon2MemoryKiB: 1024, argon2Iterations: 1, argon2Parallelism: 1)
        configuration.logLevel = .critical
        configuration.policyFile = policyPath
        let store = try EventStore(path: data, projections: DomainProjections.all)
        // Registering seals each user's address, as authd does (the vault is installed before the first append).
        try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: data))
        // 10,000 users with grants and attributes, in one transaction.
        let users = self.users, roles = self.roles
        try store.executeSync { context in
            var rng = SplitMix64(seed: 11)
            try LoadPolicy(document: document, source: policyPath).run(&context)
            for index in 0..<users {
                let id = "usr_bench\(String(format: "%08d", index))"
                _ = try RegisterUser(userID: id, email: "b\(index)@example.com", passwordHash: "$argon2id$bench", request: .none).run(&context)
                try GrantRole(userID: id, role: "role\(rng.next() % UInt64(roles))", expiresAt: nil, reason: "bench", actorID: "authctl", request: .none)
                    .run(&context)
            }
        }
        let api = try AuthService(store: store, options: AuthAPIOptions(configuration: configuration))
        let port = try HTTPBenchmark.startServer(configuration: configuration, api: api)
        let setup = HTTPConnection(port: port)
        let email = "bench@example.com", password = "correct horse battery"
        _ = try setup.roundTrip(RawRequest.postJSON("/v1/users", #"{"email":"\#(email)","password":"\#(password)"}"#))
        let userID = try store.query { try $0.user(email: email)!.id }
        try store.runSync(GrantRole(userID: userID, role: "role0", expiresAt: nil, reason: "bench", actorID: "authctl", request: .none))
        try api.authz.reload(from: store)
        let login = try setup.roundTrip(RawRequest.postJSON("/v1/login/password", #"{"email":"\#(email)","password":"\#(password)","mode":"cookie"}"#))
        guard login.status == 200, let token = HTTPBenchmark.cookie(login.headers) else { throw LoadError("login failed: \(login.status)") }

        let auth = "Authorization: Bearer \(token)"
        let checkBody = #"{"permission": "res0:act3", "resource": {"type": "post", "id": "p1"}}"#
        let batchBody = "{\"checks\": [" + (0..<100).map { #"{"permission": "res\#($0 % 17):act\#($0 % 10)"}"# }.joined(separator: ",") + "]}"
        let scripts = try [checkBody, batchBody].enumerated().map { index, body -> String in
            let path = directory + "/post\(index).lua"
            let escaped = body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            try "wrk.method = \"POST\"\nwrk.body = \"\(escaped)\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // Every endpoint measured is warmed up alike first (1 s each).
        _ = try HTTPBenchmark.runWrk(wrk, port: port, path: "/healthz", headers: [auth], connections: connections, duration: 1)
        _ = try HTTPBenchmark.runWrk(wrk, port: port, path: "/v1/authz/check", headers: [auth], script: scripts[0], connections: connections, duration: 1)
        _ = try HTTPBenchmark.runWrk(wrk, port: port, path: "/v1/authz/check-batch", headers: [auth], script: scripts[1], connections: connections, duration: 1)
        _ = try HTTPBenchmark.runWrk(wrk, port: port, path: "/v1/session", headers: [auth], connections: connections, duration: 1)
        var hello: [Double] = [], check: [Double] = [], batch: [Double] = [], validate: [Double] = []
        var checkNon2xx = 0
        for round in 0..<4 {
            for which in round % 2 == 0 ? [0, 1, 2, 3] : [3, 2, 1, 0] {
                switch which {
                case 3: validate.append(try HTTPBenchmark.runWrk(wrk, port: port, path: "/v1/session", headers: [auth], connections: connections, duration: duration).rps)
                case 0: hello.append(try HTTPBenchmark.runWrk(wrk, port: port, path: "/healthz", headers: [auth], connections: connections, duration: duration).rps)
                case 1:
                    let run = try HTTPBenchmark.runWrk(wrk, port: port, path: "/v1/authz/check", headers: [auth], script: scripts[0], connections: connections, duration: duration)
                    check.append(run.rps)
                    checkNon2xx += run.non2xx
                default:
                    batch.append(try HTTPBenchmark.runWrk(wrk, port: port, path: "/v1/authz/check-batch", headers: [auth], script: scripts[1], connections: connections, duration: duration).rps)
                }
            }
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        print("load_generator: wrk (\(connections) connections, 2 threads, 4 interleaved rounds of \(Int(duration)) s)")
        report("hello_rps", mean(hello))
        report("check_rps", mean(check))
        report("check_ratio", mean(check) / mean(hello), decimals: 3)
        report("validate_rps", mean(validate))
        report("validate_ratio", mean(validate) / mean(hello), decimals: 3)
        report("check_vs_validate", mean(check) / mean(validate), decimals: 3)
        report("batch100_rps", mean(batch))
        report("batch_checks_per_s", mean(batch) * 100)
        if checkNon2xx > 0 { FileHandle.standardError.write("warning: check had \(checkNon2xx) non-2xx\n".data(using: .utf8)!) }
    }
}
