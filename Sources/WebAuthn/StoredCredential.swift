/// What the relying party stored for a credential at registration, as input to ``verifyAuthentication(response:expectedChallenge:rp:credential:)``.
public struct StoredCredential: Sendable, Equatable {
    /// The credential ID.
    public var id: [UInt8]
    /// The credential public key as DER SubjectPublicKeyInfo (``VerifiedRegistration/publicKeySPKI``).
    public var publicKeySPKI: [UInt8]
    /// The credential's COSE algorithm.
    public var algorithm: COSEAlgorithm
    /// The last signature counter seen.
    public var signCount: UInt32
    /// The user handle (`user.id`) the credential was registered for.
    public var userHandle: [UInt8]
    /// The Backup Eligible flag recorded at registration; when set, every assertion must carry the same
    /// value (BE never changes for a credential). `nil` skips the check.
    public var backupEligible: Bool?

    /// Creates a stored credential record.
    public init(id: [UInt8], publicKeySPKI: [UInt8], algorithm: COSEAlgorithm, signCount: UInt32, userHandle: [UInt8],
                backupEligible: Bool? = nil) {
        self.id = id
        self.publicKeySPKI = publicKeySPKI
        self.algorithm = algorithm
        self.signCount = signCount
        self.userHandle = userHandle
        self.backupEligible = backupEligible
    }
}
