import Foundation
import Hummingbird

/// Rejects, with a 400 problem, any request whose URL query names a credential parameter
/// (`access_token`, `token`, `refresh_token`, `session` by default). Tokens in URLs leak through logs,
/// browser history and `Referer`, so they are refused even where a route would ignore them.
///
/// Parameter names are compared after percent-decoding and case-folding, so `?Access%5FToken=` is caught.
public struct CredentialsInQueryMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The default forbidden parameter names.
    public static var defaultForbiddenParameters: Set<String> { ["access_token", "token", "refresh_token", "session"] }

    /// The forbidden parameter names, lowercased.
    public let forbiddenParameters: Set<String>

    /// Creates the middleware.
    /// - Parameter forbiddenParameters: parameter names to refuse (compared case-insensitively).
    public init(forbiddenParameters: Set<String> = Self.defaultForbiddenParameters) {
        self.forbiddenParameters = Set(forbiddenParameters.map { $0.lowercased() })
    }

    /// Throws a 400 ``Problem`` if the query holds a forbidden parameter, else calls `next`.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let query = request.uri.query, let name = forbiddenParameter(inQuery: query) {
            throw Problem.credentialsInQuery(parameter: name)
        }
        return try await next(request, context)
    }

    /// The first forbidden parameter name in a raw query string, if any.
    public func forbiddenParameter(inQuery query: String) -> String? {
        for pair in query.split(whereSeparator: { $0 == "&" || $0 == ";" }) {
            let rawName = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let plusDecoded = rawName.replacingOccurrences(of: "+", with: " ")
            let name = (plusDecoded.removingPercentEncoding ?? plusDecoded).lowercased()
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if forbiddenParameters.contains(trimmed) {
                return trimmed
            }
        }
        return nil
    }
}
