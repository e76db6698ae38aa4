import EventLog

/// Replaces a stored hash whose parameters are weaker than the configured ones (`password.rehashed`), after a
/// successful login verified `expectedHash`. If the stored hash changed meanwhile, nothing is written.
public struct RehashPassword: Command {
    public var userID: String
    public var expectedHash: String
    public var newHash: String
    /// The old parameters, e.g. `m=19456,t=2,p=1`.
    public var previousParameters: String
    public var request: RequestInfo

    public init(userID: String, expectedHash: String, newHash: String, previousParameters: String, request: RequestInfo) {
        self.userID = userID
        self.expectedHash = expectedHash
        self.newHash = newHash
        self.previousParameters = previousParameters
        self.request = request
    }

    /// Whether the hash was replaced.
    @discardableResult
    public func run(_ context: inout CommandContext) throws -> Bool {
        guard let user = try context.state.table(UsersProjection(), "by_id").record(UserRecord.self, Key.of(userID)),
            user.passwordHash == expectedHash
        else { return false }
        try context.emit(
            PasswordRehashed(userID: userID, passwordHash: newHash, previousParameters: previousParameters), actor: .system,
            request: request)
        return true
    }
}
