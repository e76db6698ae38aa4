/// A JWS whose header passed the checks and whose signature verified with a trusted key.
public struct VerifiedJWS: Sendable {
    /// The protected header.
    public let header: [String: JSONValue]
    /// The decoded payload bytes (not interpreted).
    public let payload: [UInt8]
    /// The key that verified the signature.
    public let key: TrustedKey
}
