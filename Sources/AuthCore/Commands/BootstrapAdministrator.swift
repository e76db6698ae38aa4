import EventLog

/// Grants the first administrator a role with the server's admin key (`POST /v1/admin/bootstrap`): a `role.granted`
/// whose `granted_by` is `admin-key`. It is a bootstrap, not a standing power: it refuses with
/// ``AuthzError/bootstrapClosed`` once any user holds an unexpired grant giving ``administerRoles``, after which
/// only administrators (or an operator with `authctl roles grant`) grant roles.
public struct BootstrapAdministrator: Command {
    /// The permission whose holder closes the bootstrap: whoever holds it can grant every further role.
    public static let administerRoles = "admin:roles:write"
    /// The `granted_by` of a bootstrap grant.
    public static let actorID = "admin-key"

    public var userID: String
    public var role: String
    public var reason: String
    public var request: RequestInfo

    public init(userID: String, role: String, reason: String, request: RequestInfo) {
        self.userID = userID
        self.role = role
        self.reason = reason
        self.request = request
    }

    @discardableResult
    public func run(_ context: inout CommandContext) throws -> RecordedEvent {
        let policy = try AuthzCommandSupport.policy(in: context)
        for heldRole in try AuthzCommandSupport.activeGrantedRoles(prefix: [], in: context) {
            let permissions = try AuthzCommandSupport.permissions(ofRole: heldRole, policy: policy, in: context) ?? []
            if PermissionSet(permissions).covers(Self.administerRoles) { throw AuthzError.bootstrapClosed }
        }
        return try GrantRole(userID: userID, role: role, expiresAt: nil, reason: reason, actorID: Self.actorID, request: request)
            .run(&context)
    }
}
