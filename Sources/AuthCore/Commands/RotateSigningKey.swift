import EventLog

/// Makes a new access-token signing key current (`signing_key.rotated`): only its kid and public key go into the
/// log; the private key is in a key file. `expectedCurrent` guards against two rotations racing: if the current
/// kid is not the one the caller saw, nothing is written.
public struct RotateSigningKey: Command {
    public var kid: String
    /// `ES256`, `EdDSA` or `RS256`.
    public var algorithm: String
    /// DER SubjectPublicKeyInfo.
    public var publicKey: [UInt8]
    public var expectedCurrent: String?
    public var actor: Actor

    public init(kid: String, algorithm: String, publicKey: [UInt8], expectedCurrent: String?, actor: Actor = .system) {
        self.kid = kid
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.expectedCurrent = expectedCurrent
        self.actor = actor
    }

    /// Whether the rotation happened.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        let current = try context.state.table(SigningKeysProjection(), "current").get(SigningKeysProjection.currentKey)
            .map { String(decoding: $0, as: UTF8.self) }
        guard current == expectedCurrent else { return false }
        try context.emit(
            SigningKeyRotated(kid: kid, algorithm: algorithm, publicKey: publicKey, previousKid: current), actor: actor, request: .none)
        return true
    }
}
