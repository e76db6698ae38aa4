import AuthCrypto
import CBOR
import Foundation
import WebAuthn

/// A software authenticator and browser for the API tests (after `Tests/WebAuthnTests/SoftAuthenticator.swift`):
/// real ES256 keys, responses built byte by byte so a test can break exactly one thing.
struct PasskeyAuthenticator: Sendable {
    static let up: UInt8 = 0x01
    static let uv: UInt8 = 0x04

    let key: SigningKey
    let credentialId: [UInt8]
    let rpId: String
    let origin: String

    init(rpId: String, origin: String, credentialIdLength: Int = 32) throws {
        key = try SigningKey.generate(.es256)
        credentialId = SecureRandom.bytes(credentialIdLength)
        self.rpId = rpId
        self.origin = origin
    }

    var credentialIdText: String { Encoding.base64URL(credentialId) }

    var coseKey: CBORValue {
        switch key.publicKey.components {
        case let .ec(_, x, y): [1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)]
        case let .ed25519(x): [1: 1, 3: -8, -1: 6, -2: .byteString(x)]
        case let .ed448(x): [1: 1, 3: -53, -1: 7, -2: .byteString(x)]
        case let .rsa(n, e): [1: 3, 3: -257, -1: .byteString(n), -2: .byteString(e)]
        }
    }

    func authenticatorData(flags: UInt8, signCount: UInt32, attested: Bool, rpId: String? = nil) throws -> [UInt8] {
        var bytes = SHA256.hash(Array((rpId ?? self.rpId).utf8))
        bytes.append(flags | (attested ? 0x40 : 0))
        bytes += [UInt8(signCount >> 24 & 0xFF), UInt8(signCount >> 16 & 0xFF), UInt8(signCount >> 8 & 0xFF), UInt8(signCount & 0xFF)]
        if attested {
            bytes += [UInt8](repeating: 0xAA, count: 16)
            bytes += [UInt8(credentialId.count >> 8 & 0xFF), UInt8(credentialId.count & 0xFF)] + credentialId
            bytes += try CBOREncoder().encode(coseKey)
        }
        return bytes
    }

    func clientData(type: String, challenge: [UInt8], origin: String? = nil) -> [UInt8] {
        Array("{\"type\":\"\(type)\",\"challenge\":\"\(Encoding.base64URL(challenge))\",\"origin\":\"\(origin ?? self.origin)\"}".utf8)
    }

    /// A `none`-attestation registration response, as `PublicKeyCredential.toJSON()` gives it.
    func registration(challenge: [UInt8], flags: UInt8 = PasskeyAuthenticator.up | PasskeyAuthenticator.uv, signCount: UInt32 = 0, origin: String? = nil) throws -> [String: Any] {
        let authData = try authenticatorData(flags: flags, signCount: signCount, attested: true)
        let attestation = try CBOREncoder().encode(["fmt": "none", "attStmt": [:], "authData": .byteString(authData)])
        return [
            "id": credentialIdText, "rawId": credentialIdText, "type": "public-key",
            "response": [
                "clientDataJSON": Encoding.base64URL(clientData(type: "webauthn.create", challenge: challenge, origin: origin)),
                "attestationObject": Encoding.base64URL(attestation), "transports": ["internal"],
            ] as [String: Any],
            "clientExtensionResults": [String: Any](),
        ]
    }

    /// A signed assertion response; `userHandle` as the browser returns it for discoverable credentials.
    func assertion(
        challenge: [UInt8], signCount: UInt32, userHandle: [UInt8]?, flags: UInt8 = PasskeyAuthenticator.up | PasskeyAuthenticator.uv, origin: String? = nil, rpId: String? = nil,
        tamper: Bool = false
    ) throws -> [String: Any] {
        let authData = try authenticatorData(flags: flags, signCount: signCount, attested: false, rpId: rpId)
        let client = clientData(type: "webauthn.get", challenge: challenge, origin: origin)
        var signature = try key.signDER(authData + SHA256.hash(client))
        if tamper { signature[signature.count - 1] ^= 0x01 }
        var response: [String: Any] = [
            "clientDataJSON": Encoding.base64URL(client), "authenticatorData": Encoding.base64URL(authData),
            "signature": Encoding.base64URL(signature),
        ]
        if let userHandle { response["userHandle"] = Encoding.base64URL(userHandle) }
        return [
            "id": credentialIdText, "rawId": credentialIdText, "type": "public-key", "response": response,
            "clientExtensionResults": [String: Any](),
        ]
    }
}
