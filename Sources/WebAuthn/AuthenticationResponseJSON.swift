/// The browser's `PublicKeyCredential.toJSON()` for an authentication (WebAuthn L3 `AuthenticationResponseJSON`).
/// Binary members are base64url strings, decoded (strictly) during verification.
///
/// It is `Codable` for use with an HTTP layer's JSON decoder; ``init(json:)`` parses raw bytes strictly
/// (duplicate members refused). Unknown members, such as `clientExtensionResults`, are ignored.
public struct AuthenticationResponseJSON: Sendable, Codable, Equatable {
    /// `AuthenticatorAssertionResponseJSON`.
    public struct Response: Sendable, Codable, Equatable {
        /// base64url of the client data JSON bytes.
        public var clientDataJSON: String
        /// base64url of the authenticator data.
        public var authenticatorData: String
        /// base64url of the assertion signature.
        public var signature: String
        /// base64url of the user handle, when the authenticator returned one (always for discoverable credentials).
        public var userHandle: String?

        /// Creates the response member.
        public init(clientDataJSON: String, authenticatorData: String, signature: String, userHandle: String? = nil) {
            self.clientDataJSON = clientDataJSON
            self.authenticatorData = authenticatorData
            self.signature = signature
            self.userHandle = userHandle
        }
    }

    /// base64url credential ID.
    public var id: String
    /// base64url credential ID (must equal ``id``).
    public var rawId: String
    /// Must be `"public-key"`.
    public var type: String
    /// The assertion response.
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
            authenticatorData: try response.string("authenticatorData"),
            signature: try response.string("signature"),
            userHandle: try response.optionalString("userHandle"))
    }
}
