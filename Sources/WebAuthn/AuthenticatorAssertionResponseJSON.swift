/// The browser's `PublicKeyCredential.toJSON()` for an authentication (WebAuthn L3 `AuthenticationResponseJSON`).
public typealias AuthenticationResponseJSON = PublicKeyCredentialJSON<AuthenticatorAssertionResponseJSON>

/// The `response` member of an authentication (WebAuthn L3 `AuthenticatorAssertionResponseJSON`).
public struct AuthenticatorAssertionResponseJSON: CredentialResponseJSON {
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

    /// Reads the members of the strictly parsed `response` object.
    public init(members: CredentialJSONFields) throws(WebAuthnError) {
        self.init(
            clientDataJSON: try members.string("clientDataJSON"),
            authenticatorData: try members.string("authenticatorData"),
            signature: try members.string("signature"),
            userHandle: try members.optionalString("userHandle"))
    }
}
