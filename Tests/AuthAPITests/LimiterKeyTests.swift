import AuthAPI
import AuthCore
import AuthHTTP
import Hummingbird
import HummingbirdTesting
import Testing

/// Rate-limiter keys of client addresses, through the live server (`--trust-proxy`, `X-Forwarded-For`).
@Suite struct LimiterKeyTests {
    /// Registers each `(email, address)` in turn (the address as `X-Forwarded-For`); the statuses.
    static func register(_ client: any TestClientProtocol, _ attempts: [(String, String)]) async throws -> [HTTPResponse.Status] {
        var statuses: [HTTPResponse.Status] = []
        for (email, address) in attempts {
            let response = try await client.post(
                "/v1/users", ["email": email, "password": "correct horse battery"], headers: [.xForwardedFor: address])
            statuses.append(response.status)
        }
        return statuses
    }

    /// Threat: one IPv6 /64 is an unlimited supply of "client addresses". Every address of a /64 shares a bucket.
    @Test func manyAddressesOfOneIPv6SlashSixtyFourShareABucket() async throws {
        let harness = try Harness {
            $0.configuration.trustProxy = true
            $0.registerPerIP = RateLimit(capacity: 3, perSecond: 0.001)
        }
        try await harness.run { client in
            let statuses = try await Self.register(
                client,
                [
                    ("u1@example.com", "2001:db8:1:2::1"), ("u2@example.com", "2001:db8:1:2::2"),
                    ("u3@example.com", "2001:db8:1:2:0:0:0:3"),
                    // Other interface ids of the same /64, in any spelling, are the same client.
                    ("u4@example.com", "2001:db8:1:2:ffff:ffff:ffff:ffff"), ("u5@example.com", "2001:0DB8:0001:0002:1234::9"),
                    // The next /64 is another client.
                    ("u6@example.com", "2001:db8:1:3::1"),
                ])
            #expect(statuses == [.created, .created, .created, .tooManyRequests, .tooManyRequests, .created])
        }
    }

    /// An IPv4-mapped IPv6 address is the IPv4 address: both spellings drain one bucket.
    @Test func ipv4MappedAddressSharesTheIPv4Bucket() async throws {
        let harness = try Harness {
            $0.configuration.trustProxy = true
            $0.registerPerIP = RateLimit(capacity: 2, perSecond: 0.001)
        }
        try await harness.run { client in
            let statuses = try await Self.register(
                client,
                [
                    ("a@example.com", "192.0.2.7"), ("b@example.com", "::ffff:192.0.2.7"), ("c@example.com", "::FFFF:c000:0207"),
                    ("d@example.com", "192.0.2.7"), ("e@example.com", "192.0.2.8"),
                ])
            #expect(statuses == [.created, .created, .tooManyRequests, .tooManyRequests, .created])
        }
    }

    /// The per-account limiter of the live API: a flood of made-up emails (an LRU table of its own) neither resets a
    /// drained account nor blocks other accounts; a flood of registered accounts fills the account table, whose new
    /// keys are then refused rather than evicting the victim's bucket.
    @Test func floodOfNewEmailsDoesNotResetAnAccountLimit() async throws {
        let harness = try Harness {
            $0.maxLimiterKeys = 20
            $0.loginPerAccount = RateLimit(capacity: 3, perSecond: 0.001)
        }
        try await harness.run { client in
            _ = try await client.register("victim@example.com")
            for index in 0..<25 { _ = try await client.register("user\(index)@example.com") }
            var victim: [HTTPResponse.Status] = []
            for _ in 0..<4 { victim.append(try await client.login("victim@example.com", "wrong password!").status) }
            #expect(victim == [.unauthorized, .unauthorized, .unauthorized, .tooManyRequests])

            var madeUp: [HTTPResponse.Status] = []
            for index in 0..<60 { madeUp.append(try await client.login("nobody\(index)@example.com", "wrong password!").status) }
            #expect(madeUp.allSatisfy { $0 == .unauthorized })
            #expect(try await client.login("victim@example.com").status == .tooManyRequests)
            #expect(try await client.login("user0@example.com").status == .ok)

            // user0's bucket was reset by its login; 19 more accounts fill the table beside the victim's.
            var accounts: [HTTPResponse.Status] = []
            for index in 1..<25 { accounts.append(try await client.login("user\(index)@example.com", "wrong password!").status) }
            #expect(accounts.prefix(19).allSatisfy { $0 == .unauthorized })
            #expect(accounts.dropFirst(19).allSatisfy { $0 == .tooManyRequests })
            #expect(try await client.login("victim@example.com").status == .tooManyRequests)
        }
    }
}
