/// The browser's `PublicKeyCredential.toJSON()` for a registration (WebAuthn L3 `RegistrationResponseJSON`).
/// Binary members are base64url strings, decoded (strictly) during verification.
///
/// It is `Codable` for use with an HTTP layer's JSON decoder; ``init(json:)`` parses raw bytes strictly
/// (duplicate members refused). Unknown members, such as `clientExtensionResults`, are ignored.
public struct RegistrationResponseJSON: Sendable, Codable, Equatable {
    /// `AuthenticatorAttestationResponseJSON`.
    public struct Response: Sendable, Codable, Equatable {
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
    }

    /// base64url credential ID, as the client reports it. Registration does not use it: the credential ID is
    /// taken from the authenticator data (see ``verifyRegistration(response:expectedChallenge:rp:)``).
    public var id: String
    /// base64url credential ID, as the client reports it (not used by registration, like ``id``).
    public var rawId: String
    /// Must be `"public-key"`.
    public var type: String
    /// The attestation response.
    public var response: Response
    /// `"platform"` or `"cross-platform"`, when the browser reports it.
    public var authenticatorAttachment: String?

    /// Creates a response from its members.
    public init(id: String, rawId: String, type: String = "public-key", response: Response, authenticatorAttachment: String? = nil) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
    }

    /// Parses the JSON text strictly: valid UTF-8, no duplicate members at any depth, required members
    /// present with the right JSON types. Throws ``WebAuthnError/malformedResponse(_:)``.
    public init(json: [UInt8]) throws(WebAuthnError) {
        let root = try CredentialJSONFields(json: json)
        let response = try root.object("response")
        id = try root.string("id")
        rawId = try root.string("rawId")
        type = try root.string("type")
        authenticatorAttachment = try root.optionalString("authenticatorAttachment")
        self.response = Response(
            clientDataJSON: try response.string("clientDataJSON"),
            attestationObject: try response.string("attestationObject"),
            transports: try response.optionalStrings("transports"),
            authenticatorData: try response.optionalString("authenticatorData"),
            publicKey: try response.optionalString("publicKey"),
            publicKeyAlgorithm: try response.optionalInt("publicKeyAlgorithm"))
    }
}
