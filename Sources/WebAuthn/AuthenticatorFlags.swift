/// The flags byte of authenticator data (WebAuthn §6.1).
public struct AuthenticatorFlags: OptionSet, Sendable, Hashable {
    /// The raw flags byte.
    public let rawValue: UInt8

    /// Creates flags from the raw byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bit 0, User Present (UP).
    public static let userPresent = AuthenticatorFlags(rawValue: 0x01)
    /// Bit 2, User Verified (UV).
    public static let userVerified = AuthenticatorFlags(rawValue: 0x04)
    /// Bit 3, Backup Eligible (BE): the credential may be synced (a multi-device passkey).
    public static let backupEligible = AuthenticatorFlags(rawValue: 0x08)
    /// Bit 4, Backup State (BS): the credential is currently backed up.
    public static let backupState = AuthenticatorFlags(rawValue: 0x10)
    /// Bit 6, Attested credential data included (AT).
    public static let attestedCredentialData = AuthenticatorFlags(rawValue: 0x40)
    /// Bit 7, Extension data included (ED).
    public static let extensionData = AuthenticatorFlags(rawValue: 0x80)
}
