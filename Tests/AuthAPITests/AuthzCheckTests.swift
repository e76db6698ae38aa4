import AuthAPI
import AuthCore
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// `POST /v1/authz/check` and `check-batch` over the live server, and policy reloads (SIGHUP's path): a changed
/// document recorded once, a malformed one refused with the previous one in force, and no request seeing half of one.
@Suite struct AuthzCheckTests {
    static let seed = #"""
        {"roles": {"editor": ["posts:read", "posts:create", "posts:update"], "service": ["authz:check"]},
         "rules": [
           {"id": "same-department-read", "effect": "permit", "permissions": ["documents:read"],
            "when": [{"attr": "user.department", "op": "eq", "ref": "resource.department"}]},
           {"id": "confidential-needs-mfa", "effect": "forbid", "permissions": ["documents:*"],
            "when": [{"attr": "resource.classification", "op": "eq", "value": "confidential"},
                     {"attr": "context.aal", "op": "ne", "value": "aal2"}]},
           {"id": "office-network", "effect": "forbid", "permissions": ["payroll:*"],
            "when": [{"attr": "context.ip", "op": "cidr", "value": "203.0.113.0/24"}]}]}
        """#

    static func check(_ client: some TestClientProtocol, _ payload: [String: Any], bearer: String) async throws -> TestResponse {
        try await client.post("/v1/authz/check", payload, headers: [.authorization: "Bearer \(bearer)"])
    }

    @Test func checksAnswerWithTheReason() async throws {
        let (harness, files) = try AdminAPITests.harness(policy: Self.seed)
        defer { files.remove() }
        try await harness.run { client in
            let alice = try await client.register("alice@example.com")
            try await AdminAPITests.grant(harness, alice, "editor")
            try await harness.store.run(
                SetUserAttributes(userID: alice, attributes: ["department": .string("eng")], actorID: "authctl", request: .none))
            try harness.api.authz.reload(from: harness.store)
            let token = try await client.login("alice@example.com", mode: "token").accessToken

            var answer = object(try await Self.check(client, ["permission": "posts:update"], bearer: token))
            #expect(answer["allowed"] as? Bool == true && answer["reason"] as? String == "role:editor")
            answer = object(try await Self.check(client, ["permission": "posts:delete"], bearer: token))
            #expect(answer["allowed"] as? Bool == false && answer["reason"] as? String == "no grant")
            answer = object(try await Self.check(
                client, ["permission": "documents:read", "resource": ["type": "document", "id": "d1", "department": "eng", "classification": "internal"]], bearer: token))
            #expect(answer["reason"] as? String == "permit:same-department-read")
            // The server fills context.aal from the session: a client claiming aal2 is not believed.
            answer = object(try await Self.check(
                client,
                ["permission": "documents:read", "resource": ["department": "eng", "classification": "confidential"], "context": ["aal": "aal2"]],
                bearer: token))
            #expect(answer["allowed"] as? Bool == false && answer["reason"] as? String == "forbid:confidential-needs-mfa")

            // Naming another subject needs authz:check.
            let bob = try await client.register("bob@example.com")
            let other = try await Self.check(client, ["permission": "posts:read", "subject": bob], bearer: token)
            #expect(expectProblem(other, .forbidden)["permission"] as? String == "authz:check")
            let service = try await client.register("service@example.com")
            try await AdminAPITests.grant(harness, service, "service")
            let serviceToken = try await client.login("service@example.com", mode: "token").accessToken
            answer = object(try await Self.check(client, ["permission": "posts:update", "subject": alice], bearer: serviceToken))
            #expect(answer["allowed"] as? Bool == true)
            // For another subject the context is the caller's to give.
            answer = object(try await Self.check(
                client, ["permission": "payroll:read", "subject": alice, "context": ["ip": "203.0.113.9"]], bearer: serviceToken))
            #expect(answer["reason"] as? String == "forbid:office-network")

            // Bad input is a 400 problem, never a 500.
            for bad: [String: Any] in [
                [:], ["permission": "posts"], ["permission": "posts:*"], ["permission": "a:b", "extra": 1],
                ["permission": "a:b", "resource": ["nested": ["x": 1]]], ["permission": "a:b", "subject": "bob"],
                ["permission": "a:b", "context": "x"],
            ] {
                expectProblem(try await Self.check(client, bad, bearer: token), .badRequest)
            }
            expectProblem(try await client.post("/v1/authz/check", ["permission": "posts:read"]), .unauthorized)

            // Batches: up to 100, one answer each, in order.
            let checks = (0..<100).map { ["permission": $0 % 2 == 0 ? "posts:read" : "posts:delete"] }
            let batch = object(try await client.post("/v1/authz/check-batch", ["checks": checks], headers: [.authorization: "Bearer \(token)"]))
            let results = try #require(batch["results"] as? [[String: Any]])
            #expect(results.count == 100)
            #expect(results.enumerated().allSatisfy { ($0.element["allowed"] as? Bool) == ($0.offset % 2 == 0) })
            let tooMany = (0..<101).map { _ in ["permission": "posts:read"] }
            expectProblem(try await client.post("/v1/authz/check-batch", ["checks": tooMany], headers: [.authorization: "Bearer \(token)"]), .badRequest)
            expectProblem(try await client.post("/v1/authz/check-batch", ["checks": []], headers: [.authorization: "Bearer \(token)"]), .badRequest)
        }
    }

    /// While the policy file alternates between two documents and is reloaded over and over, every batch answer
    /// comes from one of them whole; a malformed document is refused (naming rule and field) and the last good one
    /// stays; `policy.loaded` is appended only when the content changed.
    /// Every answer that carries a user's data or a decision about them, written by hand or encoded, forbids caching
    /// alike: `Cache-Control: no-store` and, for HTTP/1.0 caches, `Pragma: no-cache`.
    @Test func userDataAnswersForbidCaching() async throws {
        let (harness, files) = try AdminAPITests.harness(policy: Self.seed)
        defer { files.remove() }
        try await harness.run { client in
            let alice = try await client.register("alice@example.com")
            try await AdminAPITests.grant(harness, alice, "editor")
            try harness.api.authz.reload(from: harness.store)
            let login = try await client.login("alice@example.com", mode: "token")
            let bearer: HTTPFields = [.authorization: "Bearer \(login.accessToken)"]
            let answers: [(String, TestResponse)] = [
                ("GET /v1/session", try await client.get("/v1/session", bearer: login.accessToken)),
                ("GET /v1/me", try await client.get("/v1/me", bearer: login.accessToken)),
                ("GET /v1/me/export", try await client.get("/v1/me/export", bearer: login.accessToken)),
                ("POST /v1/authz/check", try await Self.check(client, ["permission": "posts:read"], bearer: login.accessToken)),
                ("POST /v1/authz/check-batch", try await client.post("/v1/authz/check-batch", ["checks": [["permission": "posts:read"]]], headers: bearer)),
                ("POST /v1/token/refresh", try await client.post("/v1/token/refresh", ["refresh_token": login.refreshToken])),
            ]
            for (name, answer) in answers {
                #expect(answer.status == .ok, "\(name)")
                #expect(answer.headers[.cacheControl] == "no-store", "\(name)")
                #expect(answer.headers[HTTPFields.Element.Name("Pragma")!] == "no-cache", "\(name)")
                #expect(answer.headers[.contentType] == "application/json", "\(name)")
            }
        }
    }

    @Test func policyReloadUnderLoad() async throws {
        let first = #"{"roles": {"r": ["x:a"]}}"#
        let second = #"{"roles": {"r": ["x:b"]}}"#
        let (harness, files) = try AdminAPITests.harness(policy: first)
        defer { files.remove() }
        let path = files.path + "/policy.json"
        try await harness.run { client in
            let user = try await client.register("u@example.com")
            try await AdminAPITests.grant(harness, user, "r")
            let token = try await client.login("u@example.com", mode: "token").accessToken
            let loadedBefore = try harness.events(PolicyLoaded.self).count
            #expect(try await harness.api.reloadPolicy() == .unchanged(sha256: Policy.digest(Array(first.utf8))))
            #expect(try harness.events(PolicyLoaded.self).count == loadedBefore)

            let outcomes = try await withThrowingTaskGroup(of: (mixed: Int, answered: Int).self) { group in
                group.addTask {
                    for index in 0..<40 {
                        try (index % 2 == 0 ? second : first).write(toFile: path, atomically: true, encoding: .utf8)
                        _ = try await harness.api.reloadPolicy()
                    }
                    return (0, 0)
                }
                for _ in 0..<3 {
                    group.addTask {
                        var mixed = 0, answered = 0
                        for _ in 0..<30 {
                            let checks = (0..<50).map { ["permission": $0 % 2 == 0 ? "x:a" : "x:b"] }
                            let response = try await client.post(
                                "/v1/authz/check-batch", ["checks": checks], headers: [.authorization: "Bearer \(token)"])
                            let results = object(response)["results"] as? [[String: Any]] ?? []
                            let allowed = results.map { $0["allowed"] as? Bool ?? false }
                            let a = allowed.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                            let b = allowed.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                            let whole = results.count == 50 && (a.allSatisfy { $0 } && b.allSatisfy { !$0 } || a.allSatisfy { !$0 } && b.allSatisfy { $0 })
                            if !whole { mixed += 1 }
                            answered += 1
                        }
                        return (mixed, answered)
                    }
                }
                var total = (mixed: 0, answered: 0)
                for try await outcome in group {
                    total.mixed += outcome.mixed
                    total.answered += outcome.answered
                }
                return total
            }
            #expect(outcomes.mixed == 0)
            #expect(outcomes.answered == 90)
            #expect(try harness.events(PolicyLoaded.self).count == loadedBefore + 40)

            // The last document written was `first`; now a malformed one: refused, `first` stays.
            try #"{"roles": {"r": ["x:a"]}, "rules": [{"id": "bad", "effect": "permit", "permissions": ["x:a"], "when": [{"attr": "user.x", "op": "between", "value": 1}]}]}"#
                .write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try await harness.api.reloadPolicy()
                Issue.record("a malformed policy was loaded")
            } catch let error as PolicyFileError {
                #expect(error.description.contains("rule bad (rules[0]), field 'when[0].op'"), "\(error.description)")
            }
            #expect(try harness.events(PolicyLoaded.self).count == loadedBefore + 40)
            let answer = object(try await Self.check(client, ["permission": "x:a"], bearer: token))
            #expect(answer["allowed"] as? Bool == true)
            #expect(try harness.events(PolicyLoaded.self).last?.policy == first)
        }
    }
}
