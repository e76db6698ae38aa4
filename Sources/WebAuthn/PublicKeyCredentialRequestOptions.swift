import AuthCrypto

/// Authentication options in the WebAuthn L3 JSON form (`PublicKeyCredentialRequestOptionsJSON`), ready for
/// `PublicKeyCredential.parseRequestOptionsFromJSON()`. Encoding it with `JSONEncoder` gives exactly these
/// members: `challenge`, `timeout`, `rpId`, `allowCredentials`, `userVerification`.
public struct PublicKeyCredentialRequestOptions: Sendable, Encodable, Equatable {
    /// base64url of the challenge.
    public let challenge: String
    /// Milliseconds the browser may wait.
    public let timeout: Int
    /// The RP ID.
    public let rpId: String
    /// The user's credentials; empty for a usernameless (discoverable credential) login.
    public let allowCredentials: [PublicKeyCredentialDescriptorJSON]
    /// `"preferred"` or `"required"`, from the relying party's policy.
    public let userVerification: String

    /// Builds options for `rp`. `challenge` must be at least 16 bytes, otherwise this throws
    /// ``WebAuthnError/invalidConfiguration(_:)``.
    public init(rp: RelyingParty, challenge: [UInt8], allowCredentials: [PublicKeyCredentialDescriptorJSON] = [],
                timeout: Int = 300_000) throws(WebAuthnError) {
        guard challenge.count >= 16 else { throw .invalidConfiguration("the challenge must be at least 16 bytes") }
        self.challenge = Encoding.base64URL(challenge)
        self.timeout = timeout
        self.rpId = rp.id
        self.allowCredentials = allowCredentials
        self.userVerification = rp.userVerification.rawValue
    }
}
