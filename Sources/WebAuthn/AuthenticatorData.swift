import AuthCrypto
import CBOR

/// Parsed authenticator data (WebAuthn §6.1): RP ID hash, flags, signature counter, and for registrations
/// the attested credential data, followed by the extension outputs when the ED flag is set.
///
/// Parsing is strict: at least 37 bytes; BS without BE is refused; attested credential data is present
/// exactly when AT is set, extensions exactly when ED is set (a CBOR map); nothing may follow.
public struct AuthenticatorData: Sendable {
    /// The bytes the structure was parsed from (these are what signatures cover).
    public let rawValue: [UInt8]
    /// SHA-256 of the RP ID the authenticator scoped the credential to.
    public let rpIdHash: [UInt8]
    /// The flags.
    public let flags: AuthenticatorFlags
    /// The signature counter (0 for authenticators without one, e.g. most synced passkeys).
    public let signCount: UInt32
    /// The attested credential data (AT set), or `nil`.
    public let attestedCredentialData: AttestedCredentialData?
    /// The authenticator extension outputs (ED set): a CBOR map, or `nil`.
    public let extensions: CBORValue?

    /// Parses authenticator data.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= 37 else { throw .invalidAuthenticatorData("shorter than 37 bytes") }
        rawValue = bytes
        rpIdHash = Array(bytes[0..<32])
        flags = AuthenticatorFlags(rawValue: bytes[32])
        signCount = UInt32(bytes[33]) << 24 | UInt32(bytes[34]) << 16 | UInt32(bytes[35]) << 8 | UInt32(bytes[36])
        if flags.contains(.backupState) && !flags.contains(.backupEligible) { throw .backupStateWithoutEligibility }
        var offset = 37
        if flags.contains(.attestedCredentialData) {
            let (data, used) = try AttestedCredentialData.parsePrefix(bytes[offset...])
            attestedCredentialData = data
            offset += used
        } else {
            attestedCredentialData = nil
        }
        if flags.contains(.extensionData) {
            guard offset < bytes.count else { throw .invalidAuthenticatorData("ED flag set but no extension data") }
            let decoded: (value: CBORValue, consumed: Int)
            do {
                decoded = try CBORDecoder().decodePrefix(Array(bytes[offset...]))
            } catch {
                throw .badCBOR("authenticator extensions: \(error)")
            }
            guard decoded.value.entries != nil else { throw .invalidAuthenticatorData("extension data is not a CBOR map") }
            extensions = decoded.value
            offset += decoded.consumed
        } else {
            extensions = nil
        }
        guard offset == bytes.count else {
            throw .invalidAuthenticatorData("\(bytes.count - offset) trailing bytes after byte \(offset)")
        }
    }

    /// Whether the UP flag is set.
    public var userPresent: Bool { flags.contains(.userPresent) }
    /// Whether the UV flag is set.
    public var userVerified: Bool { flags.contains(.userVerified) }
    /// Whether the BE flag is set.
    public var backupEligible: Bool { flags.contains(.backupEligible) }
    /// Whether the BS flag is set.
    public var backupState: Bool { flags.contains(.backupState) }

    /// Checks the parts every ceremony checks: RP ID hash, user presence, and user verification per policy.
    func checkCommon(for rp: RelyingParty) throws(WebAuthnError) {
        guard ConstantTime.equals(rpIdHash, rp.rpIdHash) else { throw .rpIdHashMismatch }
        guard userPresent else { throw .userNotPresent }
        if rp.userVerification == .required && !userVerified { throw .userVerificationRequired }
    }
}
