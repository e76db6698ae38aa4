import AuthCrypto

/// Strict base64url decoding of a named credential member.
enum Base64URLField {
    /// The bytes of `text`, or ``WebAuthnError/invalidBase64URL(field:)`` naming `field`.
    static func decode(_ text: String, field: String) throws(WebAuthnError) -> [UInt8] {
        guard let bytes = Encoding.fromBase64URL(text) else { throw .invalidBase64URL(field: field) }
        return bytes
    }

    /// The credential ID from `id` and `rawId`, which must both decode and be equal.
    static func credentialId(id: String, rawId: String) throws(WebAuthnError) -> [UInt8] {
        let fromId = try decode(id, field: "id")
        let fromRawId = try decode(rawId, field: "rawId")
        guard fromId == fromRawId else { throw .credentialIdInconsistent }
        return fromRawId
    }
}
