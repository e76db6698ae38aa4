import AuthAPI
import AuthCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A stranger cannot keep the owner out by failing logins with the owner's email: failures are spent per account
/// and client, and a device the owner logged in from is not throttled by anybody else's failures.
@Suite struct LoginThrottleTests {
    static func harness() throws -> Harness {
        try Harness { options in
            options.configuration.trustProxy = true
            options.loginPerAccount = RateLimit(capacity: 5, perSecond: 1.0 / 30)
            options.loginStrangersPerAccount = RateLimit(capacity: 12, perSecond: 1.0 / 6)
        }
    }

    static func from(_ ip: String, cookie: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.init("X-Forwarded-For")!: ip]
        if let cookie { fields[.cookie] = cookie }
        return fields
    }

    @Test func strangersFailuresDoNotLockTheOwnerOut() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            // The owner logged in from her browser once: it holds a device cookie.
            let owner = try await client.login("ada@example.com", headers: Self.from("198.51.100.7"))
            let device = try #require(owner.response.headers[values: .setCookie].first { $0.hasPrefix("__Host-device=") })
            let deviceCookie = String(device.prefix { $0 != ";" })

            // An attacker at one address fails until refused.
            var statuses: [Int] = []
            for _ in 0..<8 { statuses.append(Int(try await client.login("ada@example.com", "wrong password", headers: Self.from("203.0.113.9")).status.code)) }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429, 429])
            // Refused attempts are not spent: the attacker's address stays refused, no argon2 ran for them.
            #expect(try harness.events(LoginFailed.self).count == 5)

            // The owner, from another address, without a cookie: still logs in.
            #expect(try await client.login("ada@example.com", headers: Self.from("198.51.100.8")).status == .ok)
            // The owner's browser, even from the attacker's own address: not throttled by the attacker.
            #expect(try await client.login("ada@example.com", headers: Self.from("203.0.113.9", cookie: deviceCookie)).status == .ok)
            // A forged or borrowed cookie does not help the attacker (it is bound to the account).
            #expect(try await client.login("ada@example.com", "wrong password", headers: Self.from("203.0.113.9", cookie: "__Host-device=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA")).status == .tooManyRequests)
            try await client.register("bob@example.com")
            let bob = try await client.login("bob@example.com", headers: Self.from("203.0.113.9"))
            let bobDevice = try #require(bob.response.headers[values: .setCookie].first { $0.hasPrefix("__Host-device=") })
            #expect(try await client.login("ada@example.com", "wrong password", headers: Self.from("203.0.113.9", cookie: String(bobDevice.prefix { $0 != ";" }))).status == .tooManyRequests)

            // Growing delay, not a wall: a token comes back every 30 s.
            harness.clock.advance(seconds: 30)
            #expect(try await client.login("ada@example.com", "wrong password", headers: Self.from("203.0.113.9")).status == .unauthorized)
            #expect(try await client.login("ada@example.com", "wrong password", headers: Self.from("203.0.113.9")).status == .tooManyRequests)
        }
    }

    /// A spray from many addresses is capped by the strangers' shared budget, which the owner's browser never draws on.
    @Test func manyAddressesShareOneStrangersBudget() async throws {
        let harness = try Self.harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let owner = try await client.login("ada@example.com", headers: Self.from("198.51.100.7"))
            let device = try #require(owner.response.headers[values: .setCookie].first { $0.hasPrefix("__Host-device=") })
            var refused = 0
            for index in 0..<20 {
                let status = try await client.login("ada@example.com", "wrong password", headers: Self.from("203.0.113.\(index + 1)")).status
                if status == .tooManyRequests { refused += 1 }
            }
            #expect(refused == 8)
            #expect(try await client.login("ada@example.com", headers: Self.from("203.0.113.99")).status == .tooManyRequests)
            #expect(try await client.login("ada@example.com", headers: Self.from("203.0.113.99", cookie: String(device.prefix { $0 != ";" }))).status == .ok)
        }
    }
}
