/// Why an authorization command refused to act. The HTTP layer maps each case to a problem response.
public enum AuthzError: Error, Sendable, Equatable {
    /// No user has this id.
    case userNotFound
    /// No role of this name is in force (neither defined by event nor in the policy).
    case roleNotFound
    /// The role is not defined by event (a policy file role cannot be deleted through the API).
    case roleNotDefinedByEvent
    /// The user does not hold this role.
    case grantNotFound
    /// The actor does not hold this permission, so cannot give it (or take it away).
    case permissionNotHeld(String)
    /// A permission pattern is malformed.
    case invalidPermission(String)
    /// The admin key's bootstrap is over: a user already holds a grant giving `admin:roles:write`.
    case bootstrapClosed
}
