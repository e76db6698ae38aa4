import CBOR

/// A decoded attestation object (WebAuthn §6.5): a strict CBOR map of exactly `fmt` (text), `attStmt`
/// (map) and `authData` (bytes), with the authenticator data parsed.
public struct AttestationObject: Sendable {
    /// The attestation statement.
    public let statement: AttestationStatement
    /// The authenticator data.
    public let authenticatorData: AuthenticatorData

    /// Decodes an attestation object. The CBOR must be well formed, definite-length, without duplicate map
    /// keys or trailing bytes (``WebAuthnError/badCBOR(_:)``); other shape errors are
    /// ``WebAuthnError/invalidAttestationObject(_:)``.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        let root: CBORValue
        do {
            root = try CBORDecoder().decode(bytes)
        } catch {
            throw .badCBOR("attestationObject: \(error)")
        }
        guard let entries = root.entries else { throw .invalidAttestationObject("not a CBOR map") }
        for entry in entries {
            guard let name = entry.key.text, ["fmt", "attStmt", "authData"].contains(name) else {
                throw .invalidAttestationObject("unexpected member")
            }
        }
        guard let format = root["fmt"]?.text else { throw .invalidAttestationObject("missing text 'fmt'") }
        guard let statement = root["attStmt"] else { throw .invalidAttestationObject("missing 'attStmt'") }
        guard let authData = root["authData"]?.bytes else { throw .invalidAttestationObject("missing byte-string 'authData'") }
        self.authenticatorData = try AuthenticatorData(bytes: authData)
        self.statement = try AttestationStatement(format: format, statement: statement)
    }
}
