import AuthCrypto

/// A credential reference in options (`PublicKeyCredentialDescriptorJSON`): used for `excludeCredentials`
/// and `allowCredentials`.
public struct PublicKeyCredentialDescriptorJSON: Sendable, Encodable, Equatable {
    /// Always `"public-key"`.
    public let type: String
    /// base64url of the credential ID.
    public let id: String
    /// The transports recorded at registration; omitted when `nil`.
    public let transports: [String]?

    /// A descriptor for the credential `id` with the transports recorded for it.
    public init(id: [UInt8], transports: [String]? = nil) {
        self.type = "public-key"
        self.id = Encoding.base64URL(id)
        self.transports = transports
    }
}
