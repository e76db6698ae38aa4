import AuthCrypto
import Foundation
import Testing
import WebAuthn

@Suite("Options JSON builders")
struct OptionsTests {
    func json(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any])
    }

    @Test("creation options have the WebAuthn L3 toJSON shape")
    func creation() throws {
        let rp = try RelyingParty(id: "example.com", name: "Example", allowedOrigins: ["https://example.com"])
        let options = try PublicKeyCredentialCreationOptions(
            rp: rp, userHandle: [1, 2, 3, 4], userName: "alice@example.com", userDisplayName: "Alice",
            challenge: [UInt8](repeating: 0xFB, count: 32),
            excludeCredentials: [PublicKeyCredentialDescriptorJSON(id: [9, 9], transports: ["usb", "nfc"]), PublicKeyCredentialDescriptorJSON(id: [8])])
        let object = try json(options)
        #expect(Set(object.keys) == ["rp", "user", "challenge", "pubKeyCredParams", "timeout", "excludeCredentials", "authenticatorSelection", "attestation"])
        #expect(object["rp"] as? [String: String] == ["id": "example.com", "name": "Example"])
        #expect(object["user"] as? [String: String] == ["id": "AQIDBA", "name": "alice@example.com", "displayName": "Alice"])
        #expect(object["challenge"] as? String == Encoding.base64URL([UInt8](repeating: 0xFB, count: 32)))
        let params = try #require(object["pubKeyCredParams"] as? [[String: Any]])
        #expect(params.map { $0["alg"] as? Int } == [-7, -8, -257])
        #expect(params.allSatisfy { $0["type"] as? String == "public-key" && $0.count == 2 })
        #expect(object["timeout"] as? Int == 300_000)
        #expect(object["attestation"] as? String == "none")
        #expect(object["authenticatorSelection"] as? [String: String] == ["residentKey": "preferred", "userVerification": "preferred"])
        let exclude = try #require(object["excludeCredentials"] as? [[String: Any]])
        #expect(exclude.count == 2)
        #expect(exclude[0]["id"] as? String == "CQk" && exclude[0]["type"] as? String == "public-key")
        #expect(exclude[0]["transports"] as? [String] == ["usb", "nfc"])
        #expect(exclude[1]["transports"] == nil)

        let strict = try RelyingParty(id: "example.com", allowedOrigins: ["https://example.com"], userVerification: .required)
        let strictObject = try json(PublicKeyCredentialCreationOptions(rp: strict, userHandle: [1], userName: "a", userDisplayName: "A",
                                                                      challenge: [UInt8](repeating: 1, count: 16)))
        #expect((strictObject["authenticatorSelection"] as? [String: String])?["userVerification"] == "required")
        #expect((strictObject["rp"] as? [String: String])?["name"] == "example.com")
        #expect(throws: WebAuthnError.invalidConfiguration("the challenge must be at least 16 bytes")) {
            try PublicKeyCredentialCreationOptions(rp: rp, userHandle: [1], userName: "a", userDisplayName: "A", challenge: [1])
        }
        #expect(throws: WebAuthnError.invalidConfiguration("the user handle must be 1...64 bytes")) {
            try PublicKeyCredentialCreationOptions(rp: rp, userHandle: [UInt8](repeating: 1, count: 65), userName: "a", userDisplayName: "A",
                                                   challenge: [UInt8](repeating: 1, count: 16))
        }
    }

    @Test("request options have the WebAuthn L3 toJSON shape")
    func request() throws {
        let rp = try RelyingParty(id: "example.com", allowedOrigins: ["https://example.com"], userVerification: .required)
        let options = try PublicKeyCredentialRequestOptions(
            rp: rp, challenge: [UInt8](repeating: 7, count: 32), allowCredentials: [PublicKeyCredentialDescriptorJSON(id: [1, 2, 3], transports: ["internal", "hybrid"])])
        let object = try json(options)
        #expect(Set(object.keys) == ["challenge", "timeout", "rpId", "allowCredentials", "userVerification"])
        #expect(object["rpId"] as? String == "example.com" && object["userVerification"] as? String == "required")
        #expect(object["timeout"] as? Int == 300_000)
        let allow = try #require(object["allowCredentials"] as? [[String: Any]])
        #expect(allow.first?["id"] as? String == "AQID" && allow.first?["transports"] as? [String] == ["internal", "hybrid"])
        let discoverable = try json(PublicKeyCredentialRequestOptions(rp: rp, challenge: [UInt8](repeating: 7, count: 16)))
        #expect((discoverable["allowCredentials"] as? [Any])?.isEmpty == true)
    }
}
