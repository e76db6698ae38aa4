import CBOR

/// The attested credential data inside registration authenticator data (WebAuthn §6.5.2).
public struct AttestedCredentialData: Sendable {
    /// The authenticator's 16-byte AAGUID (all zero for many authenticators and for `none` attestation).
    public let aaguid: [UInt8]
    /// The credential ID (1...1023 bytes).
    public let credentialId: [UInt8]
    /// The credential public key, checked.
    public let publicKey: COSEKey
    /// The CBOR encoding of the credential public key exactly as the authenticator sent it.
    public let publicKeyCBOR: [UInt8]

    /// The AAGUID in canonical UUID text form (lowercase, 8-4-4-4-12).
    public var aaguidString: String {
        let hex = aaguid.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
        let characters = Array(hex)
        guard characters.count == 32 else { return hex }
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// Parses attested credential data at the start of `bytes`, returning it and the number of bytes used.
    static func parsePrefix(_ bytes: ArraySlice<UInt8>) throws(WebAuthnError) -> (AttestedCredentialData, Int) {
        let data = Array(bytes)
        guard data.count >= 18 else { throw .invalidAuthenticatorData("attested credential data is truncated") }
        let aaguid = Array(data[0..<16])
        let length = Int(data[16]) << 8 | Int(data[17])
        guard (1...1023).contains(length) else { throw .credentialIdLength(length) }
        guard data.count >= 18 + length else { throw .invalidAuthenticatorData("credential ID is truncated") }
        let credentialId = Array(data[18..<(18 + length)])
        let keyBytes = Array(data[(18 + length)...])
        let decoded: (value: CBORValue, consumed: Int)
        do {
            decoded = try CBORDecoder().decodePrefix(keyBytes)
        } catch {
            throw .badCBOR("credential public key: \(error)")
        }
        let key = try COSEKey(cbor: decoded.value)
        let used = 18 + length + decoded.consumed
        return (AttestedCredentialData(aaguid: aaguid, credentialId: credentialId, publicKey: key,
                                       publicKeyCBOR: Array(keyBytes[0..<decoded.consumed])), used)
    }
}
