/// The browser's `PublicKeyCredential.toJSON()` (WebAuthn L3 `RegistrationResponseJSON` and
/// `AuthenticationResponseJSON`): the members both ceremonies share around their `response` member. Binary members
/// are base64url strings, decoded (strictly) during verification.
///
/// It is `Codable` for use with an HTTP layer's JSON decoder; ``init(json:)`` parses raw bytes strictly (duplicate
/// members refused). Unknown members, such as `clientExtensionResults`, are ignored.
public struct PublicKeyCredentialJSON<Response: CredentialResponseJSON>: Sendable, Codable, Equatable {
    /// base64url credential ID, as the client reports it. Authentication requires it to equal ``rawId``;
    /// registration does not use either: it takes the credential ID from the authenticator data (see
    /// ``verifyRegistration(response:expectedChallenge:rp:at:)``).
    public var id: String
    /// base64url credential ID (see ``id``).
    public var rawId: String
    /// Must be `"public-key"`.
    public var type: String
    /// The ceremony's response: ``AuthenticatorAttestationResponseJSON`` or ``AuthenticatorAssertionResponseJSON``.
    public var response: Response
    /// `"platform"` or `"cross-platform"`, when the browser reports it.
    public var authenticatorAttachment: String?

    /// Creates a credential from its members.
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
        let members = try root.object("response")
        id = try root.string("id")
        rawId = try root.string("rawId")
        type = try root.string("type")
        authenticatorAttachment = try root.optionalString("authenticatorAttachment")
        response = try Response(members: members)
    }
}

/// The `response` member of a ``PublicKeyCredentialJSON``, read from the strictly parsed `response` object.
public protocol CredentialResponseJSON: Sendable, Codable, Equatable {
    /// Reads the members of the `response` object; throws ``WebAuthnError/malformedResponse(_:)``.
    init(members: CredentialJSONFields) throws(WebAuthnError)
}
