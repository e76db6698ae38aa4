/// The browser's `PublicKeyCredential.toJSON()` for a registration (WebAuthn L3 `RegistrationResponseJSON`).
public typealias RegistrationResponseJSON = PublicKeyCredentialJSON<AuthenticatorAttestationResponseJSON>

/// The `response` member of a registration (WebAuthn L3 `AuthenticatorAttestationResponseJSON`).
public struct AuthenticatorAttestationResponseJSON: CredentialResponseJSON {
    /// base64url of the client data JSON bytes.
    public var clientDataJSON: String
    /// base64url of the CBOR attestation object.
    public var attestationObject: String
    /// The transports the authenticator reported (`usb`, `nfc`, `ble`, `internal`, `hybrid`, ...).
    public var transports: [String]?
    /// base64url of the authenticator data (L3 convenience copy; must equal the one in the attestation object).
    public var authenticatorData: String?
    /// base64url DER SubjectPublicKeyInfo (L3 convenience copy; informational, not used).
    public var publicKey: String?
    /// The COSE algorithm (L3 convenience copy; must equal the credential key's `alg`).
    public var publicKeyAlgorithm: Int?

    /// Creates the response member.
    public init(clientDataJSON: String, attestationObject: String, transports: [String]? = nil,
                authenticatorData: String? = nil, publicKey: String? = nil, publicKeyAlgorithm: Int? = nil) {
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
        self.transports = transports
        self.authenticatorData = authenticatorData
        self.publicKey = publicKey
        self.publicKeyAlgorithm = publicKeyAlgorithm
    }

    /// Reads the members of the strictly parsed `response` object.
    public init(members: CredentialJSONFields) throws(WebAuthnError) {
        self.init(
            clientDataJSON: try members.string("clientDataJSON"),
            attestationObject: try members.string("attestationObject"),
            transports: try members.optionalStrings("transports"),
            authenticatorData: try members.optionalString("authenticatorData"),
            publicKey: try members.optionalString("publicKey"),
            publicKeyAlgorithm: try members.optionalInt("publicKeyAlgorithm"))
    }
}
