import AuthAPI
import AuthCore
import AuthCrypto
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/login/passkey/options {email}` must not tell which accounts exist or have passkeys.
@Suite struct PasskeyDecoyTests {
    static func options(_ client: some TestClientProtocol, _ email: String) async throws -> [String: Any] {
        let response = try await client.post("/v1/login/passkey/options", ["email": email])
        #expect(response.status == .ok, "\(text(response))")
        return object(response)
    }

    /// The descriptors of an options answer, checked for the shape real ones have: `type` `public-key`, a base64url
    /// id of a plausible length, a transports list of known values.
    static func descriptors(_ options: [String: Any]) -> [[String: Any]] {
        let allow = options["allowCredentials"] as? [[String: Any]] ?? []
        for descriptor in allow {
            #expect(Set(descriptor.keys) == ["type", "id", "transports"])
            #expect(descriptor["type"] as? String == "public-key")
            let id = Encoding.fromBase64URL(descriptor["id"] as? String ?? "") ?? []
            #expect([16, 20, 32, 64].contains(id.count), "id of \(id.count) bytes")
            let transports = descriptor["transports"] as? [String] ?? []
            #expect(!transports.isEmpty && transports.allSatisfy { ["internal", "hybrid", "usb", "nfc", "ble"].contains($0) })
        }
        return allow
    }

    /// Threat: an unknown email (or one without passkeys) answered an empty list, a real account its passkeys, so
    /// accounts with passkeys could be listed. Now all three answers have the same shape and decoys are stable.
    @Test func unknownAndPasskeylessEmailsGetStablePlausibleDecoys() async throws {
        let harness = try PasskeyTests.harness()
        try await harness.run { client in
            _ = try await client.register("without@example.com")
            _ = try await client.register("with@example.com")
            let cookie = try await client.login("with@example.com").cookie
            let device = try PasskeyTests.authenticator()
            #expect(try await client.registerPasskey(device, cookie: cookie).status == .created)

            let real = try await Self.options(client, "with@example.com")
            let realAllow = Self.descriptors(real)
            #expect(realAllow.map { $0["id"] as? String } == [device.credentialIdText])

            let unknown = try await Self.options(client, "nobody@example.com")
            let passkeyless = try await Self.options(client, "without@example.com")
            for answer in [unknown, passkeyless] {
                // Same members as the real answer, a non-empty allow list of the same shape.
                #expect(Set(answer.keys) == Set(real.keys))
                let allow = Self.descriptors(answer)
                #expect((1...2).contains(allow.count))
                #expect(answer["rpId"] as? String == real["rpId"] as? String)
                #expect(answer["userVerification"] as? String == real["userVerification"] as? String)
                #expect(answer["timeout"] as? Int == real["timeout"] as? Int)
            }

            // Stable across calls (and across the email's spelling), fresh challenges each time; different emails
            // get different decoys.
            let unknownAgain = try await Self.options(client, "  NOBODY@example.com ")
            #expect(Self.descriptors(unknownAgain).map { $0["id"] as? String } == Self.descriptors(unknown).map { $0["id"] as? String })
            #expect(Self.descriptors(unknownAgain).map { $0["transports"] as? [String] } == Self.descriptors(unknown).map { $0["transports"] as? [String] })
            #expect(unknownAgain["challenge"] as? String != unknown["challenge"] as? String)
            let passkeylessAgain = try await Self.options(client, "without@example.com")
            #expect(Self.descriptors(passkeylessAgain).map { $0["id"] as? String } == Self.descriptors(passkeyless).map { $0["id"] as? String })
            #expect(Self.descriptors(unknown).map { $0["id"] as? String } != Self.descriptors(passkeyless).map { $0["id"] as? String })

            // Across many emails the decoys vary in count, id length and transports, as real ones do.
            var counts = Set<Int>()
            var lengths = Set<Int>()
            for index in 0..<40 {
                let allow = Self.descriptors(try await Self.options(client, "probe\(index)@example.com"))
                counts.insert(allow.count)
                for descriptor in allow { lengths.insert((Encoding.fromBase64URL(descriptor["id"] as? String ?? "") ?? []).count) }
            }
            #expect(counts == [1, 2])
            #expect(lengths.count >= 3)

            // Discoverable options (no email) stay empty.
            let discoverable = try await client.post("/v1/login/passkey/options", [:])
            #expect((object(discoverable)["allowCredentials"] as? [Any])?.isEmpty == true)
        }
    }
}
