import AuthCrypto

/// Registration options in the WebAuthn L3 JSON form (`PublicKeyCredentialCreationOptionsJSON`), ready for
/// `PublicKeyCredential.parseCreationOptionsFromJSON()` in the browser. Encoding it with `JSONEncoder`
/// gives exactly these members: `rp`, `user`, `challenge`, `pubKeyCredParams`, `timeout`,
/// `excludeCredentials`, `authenticatorSelection`, `attestation`.
public struct PublicKeyCredentialCreationOptions: Sendable, Encodable, Equatable {
    /// `PublicKeyCredentialRpEntity`.
    public struct RelyingPartyEntity: Sendable, Encodable, Equatable {
        /// The RP ID.
        public let id: String
        /// The display name.
        public let name: String
    }

    /// `PublicKeyCredentialUserEntityJSON`.
    public struct UserEntity: Sendable, Encodable, Equatable {
        /// base64url of the user handle (opaque, at most 64 bytes, no personal data).
        public let id: String
        /// The account name (e.g. an email address).
        public let name: String
        /// The human-friendly name.
        public let displayName: String
    }

    /// `PublicKeyCredentialParameters`.
    public struct CredentialParameters: Sendable, Encodable, Equatable {
        /// Always `"public-key"`.
        public let type: String
        /// The COSE algorithm.
        public let alg: Int
    }

    /// `AuthenticatorSelectionCriteria`.
    public struct AuthenticatorSelection: Sendable, Encodable, Equatable {
        /// `"preferred"`: create a discoverable credential (passkey) when the authenticator can.
        public let residentKey: String
        /// `"preferred"` or `"required"`, from the relying party's policy.
        public let userVerification: String
    }

    /// The relying party.
    public let rp: RelyingPartyEntity
    /// The user.
    public let user: UserEntity
    /// base64url of the challenge.
    public let challenge: String
    /// The accepted algorithms, in the relying party's preference order.
    public let pubKeyCredParams: [CredentialParameters]
    /// Milliseconds the browser may wait.
    public let timeout: Int
    /// The user's existing credentials, so an authenticator does not register twice.
    public let excludeCredentials: [PublicKeyCredentialDescriptorJSON]
    /// Authenticator requirements.
    public let authenticatorSelection: AuthenticatorSelection
    /// Always `"none"`: this relying party does not ask for attestation.
    public let attestation: String

    /// Builds options for `rp`. `userHandle` must be 1...64 bytes (WebAuthn §5.4.3) and `challenge` at least
    /// 16 bytes (§13.4.3); otherwise this throws ``WebAuthnError/invalidConfiguration(_:)``.
    public init(
        rp: RelyingParty, userHandle: [UInt8], userName: String, userDisplayName: String, challenge: [UInt8],
        excludeCredentials: [PublicKeyCredentialDescriptorJSON] = [], timeout: Int = 300_000
    ) throws(WebAuthnError) {
        guard (1...64).contains(userHandle.count) else { throw .invalidConfiguration("the user handle must be 1...64 bytes") }
        guard challenge.count >= 16 else { throw .invalidConfiguration("the challenge must be at least 16 bytes") }
        self.rp = RelyingPartyEntity(id: rp.id, name: rp.name)
        self.user = UserEntity(id: Encoding.base64URL(userHandle), name: userName, displayName: userDisplayName)
        self.challenge = Encoding.base64URL(challenge)
        self.pubKeyCredParams = rp.allowedAlgorithms.map { CredentialParameters(type: "public-key", alg: $0.rawValue) }
        self.timeout = timeout
        self.excludeCredentials = excludeCredentials
        self.authenticatorSelection = AuthenticatorSelection(residentKey: "preferred", userVerification: rp.userVerification.rawValue)
        self.attestation = "none"
    }
}
