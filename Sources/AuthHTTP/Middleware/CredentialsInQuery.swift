import Foundation
import Hummingbird

/// Finds a credential parameter in a URL query, for which ``ServerMiddleware`` answers any request with a 400
/// problem before its route runs. The parameters are
/// `access_token`, `token`, `refresh_token` and `session` by default. Tokens in URLs leak through logs,
/// browser history and `Referer`, so they are refused even where a route would ignore them.
///
/// Parameter names are compared after percent-decoding and case-folding, so `?Access%5FToken=` is caught.
struct CredentialsInQuery {
    /// The default forbidden parameter names.
    static var defaultForbiddenParameters: Set<String> { ["access_token", "token", "refresh_token", "session"] }

    /// The forbidden parameter names, lowercased.
    let forbiddenParameters: Set<String>

    /// Creates the part.
    /// - Parameter forbiddenParameters: parameter names to refuse (compared case-insensitively).
    init(forbiddenParameters: Set<String> = Self.defaultForbiddenParameters) {
        self.forbiddenParameters = Set(forbiddenParameters.map { $0.lowercased() })
    }

    /// The first forbidden parameter name in a raw query string, if any.
    func forbiddenParameter(inQuery query: String) -> String? {
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
