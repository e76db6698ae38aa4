import AuthAPI
import AuthCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct RegistrationTests {
    @Test func registersAndRefusesDuplicatesAfterNormalisation() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let first = try await client.post("/v1/users", ["email": "Ada@Example.COM", "password": "correct horse battery"])
            #expect(first.status == .created)
            let userID = object(first)["user_id"] as? String ?? ""
            #expect(Identifier.isWellFormed(userID, prefix: "usr_"))
            #expect(first.headers[.contentType] == "application/json")

            let duplicate = try await client.post("/v1/users", ["email": "  ada@example.com ", "password": "another password"])
            let problem = expectProblem(duplicate, .conflict)
            #expect(problem["type"] as? String == "urn:authd:problem:email-taken")

            // The normalised address logs in whatever the case.
            let login = try await client.login("ADA@example.com")
            #expect(login.status == .ok)
            #expect(login.fields["user_id"] as? String == userID)
        }
        let registered = try harness.events(UserRegistered.self)
        #expect(registered.count == 1)
        // The address is recorded only as its keyed hash and sealed under the user's key.
        let vault = try #require(PersonalDataVault.installed(on: harness.store))
        #expect(registered.first?.emailHash == vault.emailHash("ada@example.com"))
        #expect(try harness.store.query { try $0.user(id: registered.first?.userID ?? "") }?.email == "ada@example.com")
        #expect(registered.first?.passwordHash.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$") == true)
    }

    @Test func passwordLengthBounds() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let short = try await client.post("/v1/users", ["email": "a@example.com", "password": "1234567"])
            let problem = expectProblem(short, .badRequest)
            #expect((problem["errors"] as? [[String: Any]])?.first?["reason"] as? String == "too_short")

            let long = try await client.post("/v1/users", ["email": "b@example.com", "password": String(repeating: "x", count: 129)])
            let longProblem = expectProblem(long, .badRequest)
            #expect((longProblem["errors"] as? [[String: Any]])?.first?["reason"] as? String == "too_long")

            // A long password is refused at login too, before any hashing.
            let longLogin = try await client.login("b@example.com", String(repeating: "x", count: 10_000))
            expectProblem(longLogin.response, .badRequest)

            #expect(try await client.post("/v1/users", ["email": "c@example.com", "password": "12345678"]).status == .created)
            #expect(
                try await client.post("/v1/users", ["email": "d@example.com", "password": String(repeating: "é", count: 128)]).status
                    == .created)
        }
    }

    @Test func strictBodies() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let unknown = try await client.post("/v1/users", ["email": "a@example.com", "password": "12345678", "admin": true])
            let problem = expectProblem(unknown, .badRequest)
            #expect((problem["detail"] as? String)?.contains("admin") == true)
            let missing = try await client.post("/v1/users", ["email": "a@example.com"])
            #expect((expectProblem(missing, .badRequest)["detail"] as? String)?.contains("password") == true)
            let badEmail = try await client.post("/v1/users", ["email": "not-an-email", "password": "12345678"])
            expectProblem(badEmail, .badRequest)
            let wrongType = try await client.execute(
                uri: "/v1/users", method: .post, headers: [.contentType: "text/plain"], body: body(["email": "a@example.com", "password": "12345678"]))
            expectProblem(wrongType, .unsupportedMediaType)
            let badMode = try await client.post("/v1/login/password", ["email": "a@example.com", "password": "12345678", "mode": "magic"])
            expectProblem(badMode, .badRequest)
        }
    }
}
