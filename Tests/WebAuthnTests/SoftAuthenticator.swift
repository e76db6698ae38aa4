import AuthCrypto
import CBOR
import Foundation
import WebAuthn

/// A software authenticator and browser for unit tests: it builds registration and authentication
/// responses byte by byte, so each test can break exactly one thing and re-sign the rest.
struct SoftAuthenticator {
    let key: SigningKey
    let credentialId: [UInt8]
    let rpId: String
    let origin: String
    let userHandle: [UInt8] = Array("user-1234".utf8)

    init(algorithm: SignatureAlgorithm = .es256, rpId: String = "example.com", origin: String = "https://example.com") throws {
        key = try SigningKey.generate(algorithm)
        credentialId = Array((0..<32).map { UInt8($0 &* 7 &+ 3) })
        self.rpId = rpId
        self.origin = origin
    }

    /// The COSE algorithm of ``key``.
    var coseAlgorithm: COSEAlgorithm {
        switch key.algorithm {
        case .eddsa: .eddsa
        case .rs256: .rs256
        default: .es256
        }
    }

    /// The credential public key as a COSE_Key map.
    var coseKey: CBORValue {
        switch key.publicKey.components {
        case let .ec(_, x, y): [1: 2, 3: -7, -1: 1, -2: .byteString(x), -3: .byteString(y)]
        case let .ed25519(x): [1: 1, 3: -8, -1: 6, -2: .byteString(x)]
        case let .ed448(x): [1: 1, 3: -53, -1: 7, -2: .byteString(x)]
        case let .rsa(n, e): [1: 3, 3: -257, -1: .byteString(n), -2: .byteString(e)]
        }
    }

    /// Authenticator data with the given flags and counter, attested credential data when `attested`.
    func authenticatorData(flags: UInt8, signCount: UInt32, attested: Bool, coseKey: CBORValue? = nil,
                           credentialId: [UInt8]? = nil, extensions: CBORValue? = nil, rpId: String? = nil) throws -> [UInt8] {
        var bytes = SHA256.hash(Array((rpId ?? self.rpId).utf8))
        bytes.append(flags | (attested ? 0x40 : 0) | (extensions != nil ? 0x80 : 0))
        bytes += [UInt8(signCount >> 24 & 0xFF), UInt8(signCount >> 16 & 0xFF), UInt8(signCount >> 8 & 0xFF), UInt8(signCount & 0xFF)]
        if attested {
            let id = credentialId ?? self.credentialId
            bytes += [UInt8](repeating: 0xAA, count: 16)
            bytes += [UInt8(id.count >> 8 & 0xFF), UInt8(id.count & 0xFF)] + id
            bytes += try CBOREncoder().encode(coseKey ?? self.coseKey)
        }
        if let extensions { bytes += try CBOREncoder().encode(extensions) }
        return bytes
    }

    /// clientDataJSON text.
    func clientData(type: String, challenge: [UInt8], origin: String? = nil, extra: String = "") -> [UInt8] {
        Array("{\"type\":\"\(type)\",\"challenge\":\"\(Encoding.base64URL(challenge))\",\"origin\":\"\(origin ?? self.origin)\"\(extra)}".utf8)
    }

    /// A registration response with `none` attestation (or the given `fmt`/`attStmt`).
    func registration(challenge: [UInt8], authData: [UInt8], clientData: [UInt8]? = nil, format: String = "none",
                      statement: CBORValue = [:]) throws -> RegistrationResponseJSON {
        let attestation = try CBOREncoder().encode(["fmt": .textString(format), "attStmt": statement, "authData": .byteString(authData)])
        return registration(clientData: clientData ?? self.clientData(type: "webauthn.create", challenge: challenge), attestationObject: attestation)
    }

    /// A registration response from raw parts.
    func registration(clientData: [UInt8], attestationObject: [UInt8]) -> RegistrationResponseJSON {
        RegistrationResponseJSON(
            id: Encoding.base64URL(credentialId), rawId: Encoding.base64URL(credentialId),
            response: .init(clientDataJSON: Encoding.base64URL(clientData), attestationObject: Encoding.base64URL(attestationObject),
                            transports: ["internal"]))
    }

    /// A signed assertion response over `authData` and `clientData`.
    func assertion(authData: [UInt8], clientData: [UInt8], userHandle: [UInt8]? = nil, credentialId: [UInt8]? = nil) throws -> AuthenticationResponseJSON {
        let signature = try sign(authData + SHA256.hash(clientData))
        let id = Encoding.base64URL(credentialId ?? self.credentialId)
        return AuthenticationResponseJSON(
            id: id, rawId: id,
            response: .init(clientDataJSON: Encoding.base64URL(clientData), authenticatorData: Encoding.base64URL(authData),
                            signature: Encoding.base64URL(signature), userHandle: userHandle.map { Encoding.base64URL($0) }))
    }

    /// A signature as WebAuthn carries it (DER for ECDSA).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        key.algorithm.curve == nil ? try key.sign(message) : try key.signDER(message)
    }

    /// The stored record for this credential.
    func stored(signCount: UInt32 = 0, backupEligible: Bool? = nil) -> StoredCredential {
        StoredCredential(id: credentialId, publicKeySPKI: key.publicKey.spkiDER, algorithm: coseAlgorithm, signCount: signCount,
                         userHandle: userHandle, backupEligible: backupEligible)
    }

    /// A relying party for this authenticator.
    func relyingParty(userVerification: RelyingParty.UserVerificationPolicy = .preferred,
                      counterPolicy: RelyingParty.CounterPolicy = .reject,
                      algorithms: [COSEAlgorithm] = COSEAlgorithm.defaultAllowed,
                      crossOrigin: RelyingParty.CrossOriginPolicy = .reject) throws -> RelyingParty {
        try RelyingParty(id: rpId, name: "Example", allowedOrigins: [origin], userVerification: userVerification,
                         counterPolicy: counterPolicy, allowedAlgorithms: algorithms, crossOrigin: crossOrigin)
    }
}
