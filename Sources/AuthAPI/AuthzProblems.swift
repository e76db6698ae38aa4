import AuthCore
import AuthHTTP
import Hummingbird

extension Problem {
    /// Problem types of authorization.
    public enum AuthzTypes {
        /// The caller lacks the permission the endpoint needs (403); `permission` names it.
        public static let forbidden = "urn:authd:problem:forbidden"
        /// The admin key's bootstrap is over (409): an administrator exists.
        public static let bootstrapClosed = "urn:authd:problem:bootstrap-closed"
    }

    /// 403: the caller does not hold `permission`.
    static func forbidden(permission: String, detail: String? = nil) -> Problem {
        Problem(
            status: .forbidden, type: AuthzTypes.forbidden, title: "Forbidden",
            detail: detail ?? "this needs the permission \(permission)", extensions: ["permission": .string(permission)])
    }
}

extension AuthzError: ProblemConvertible {
    public var problem: Problem {
        switch self {
        case .userNotFound: .notFound("no such user")
        case .roleNotFound: .notFound("no such role")
        case .roleNotDefinedByEvent: .notFound("no role of this name was defined through the admin API")
        case .grantNotFound: .notFound("the user does not hold this role")
        case .permissionNotHeld(let permission):
            .forbidden(permission: permission, detail: "you cannot give or take away \(permission): you do not hold it")
        case .invalidPermission:
            .invalidField("permissions", reason: "invalid", detail: "permissions are resource:action, resource:* or *")
        case .bootstrapClosed:
            Problem(
                status: .conflict, type: Problem.AuthzTypes.bootstrapClosed, title: "Bootstrap closed",
                detail: "a user already holds admin:roles:write; administrators grant roles through the admin API")
        }
    }
}
