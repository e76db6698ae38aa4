import AuthHTTP
import Foundation

/// One external login provider, as configured in the `--oidc-providers` file (a JSON array of these objects).
public struct OIDCProviderConfiguration: Sendable, Equatable, Decodable {
    /// `oidc` (OpenID Connect, discovery and ID token) or `github` (plain OAuth 2.0 and GitHub's user API).
    public enum Kind: String, Sendable, Decodable { case oidc, github }
    /// How the client authenticates at the token endpoint.
    public enum TokenEndpointAuthMethod: String, Sendable, Decodable {
        case clientSecretBasic = "client_secret_basic", clientSecretPost = "client_secret_post"
    }

    /// The id in URLs (`/v1/oauth/{id}/start`) and events: lowercase letters, digits, `-`, `_`, at most 32.
    public var id: String
    public var kind: Kind
    /// The issuer (exact); for `github`, `https://github.com` unless given.
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    public var scopes: [String]
    public var tokenEndpointAuthMethod: TokenEndpointAuthMethod
    /// Whether a first login of an unknown identity with an unknown email creates the user.
    public var allowSignup: Bool
    public var displayName: String
    /// Endpoint overrides (for `github` the defaults are GitHub's; for `oidc` they replace the discovery document's).
    public var authorizationEndpoint: String?
    public var tokenEndpoint: String?
    public var userinfoEndpoint: String?
    public var emailsEndpoint: String?
    public var jwksURI: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, kind, issuer, clientID = "client_id", clientSecret = "client_secret", clientSecretFile = "client_secret_file"
        case scopes, tokenEndpointAuthMethod = "token_endpoint_auth_method", allowSignup = "allow_signup"
        case displayName = "display_name", authorizationEndpoint = "authorization_endpoint", tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint", emailsEndpoint = "emails_endpoint", jwksURI = "jwks_uri"
    }

    /// Any member name, to refuse the unknown ones (a misspelt `allow_signup` must not pass silently).
    struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !known.contains($0) }
        guard unknown.isEmpty else { throw ConfigurationError("unknown provider member(s): \(unknown.sorted().joined(separator: ", "))") }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decode(Kind.self, forKey: .kind)
        let issuer = try c.decodeIfPresent(String.self, forKey: .issuer)
        switch (kind, issuer) {
        case (_, let given?): self.issuer = given
        case (.github, nil): self.issuer = "https://github.com"
        case (.oidc, nil): throw ConfigurationError("provider '\(id)': issuer is required for kind oidc")
        }
        clientID = try c.decode(String.self, forKey: .clientID)
        switch (try c.decodeIfPresent(String.self, forKey: .clientSecret), try c.decodeIfPresent(String.self, forKey: .clientSecretFile)) {
        case (let secret?, nil): clientSecret = secret
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("provider '\(id)': cannot read client_secret_file")
            }
            while let last = text.last, last.isNewline { text.removeLast() }
            clientSecret = text
        default: throw ConfigurationError("provider '\(id)': give exactly one of client_secret and client_secret_file")
        }
        scopes = try c.decodeIfPresent([String].self, forKey: .scopes)
            ?? (kind == .oidc ? ["openid", "email", "profile"] : ["read:user", "user:email"])
        tokenEndpointAuthMethod = try c.decodeIfPresent(TokenEndpointAuthMethod.self, forKey: .tokenEndpointAuthMethod) ?? .clientSecretBasic
        allowSignup = try c.decodeIfPresent(Bool.self, forKey: .allowSignup) ?? false
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName) ?? id
        authorizationEndpoint = try c.decodeIfPresent(String.self, forKey: .authorizationEndpoint)
        tokenEndpoint = try c.decodeIfPresent(String.self, forKey: .tokenEndpoint)
        userinfoEndpoint = try c.decodeIfPresent(String.self, forKey: .userinfoEndpoint)
        emailsEndpoint = try c.decodeIfPresent(String.self, forKey: .emailsEndpoint)
        jwksURI = try c.decodeIfPresent(String.self, forKey: .jwksURI)
        if kind == .github {
            authorizationEndpoint = authorizationEndpoint ?? "https://github.com/login/oauth/authorize"
            tokenEndpoint = tokenEndpoint ?? "https://github.com/login/oauth/access_token"
            userinfoEndpoint = userinfoEndpoint ?? "https://api.github.com/user"
            emailsEndpoint = emailsEndpoint ?? "https://api.github.com/user/emails"
        }
        try validate()
    }

    /// Checks the id, the non-empty fields and every URL (https, or http on a loopback host).
    func validate() throws {
        let idCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard (1...32).contains(id.count), id.allSatisfy(idCharacters.contains), id.first != "-", id.first != "_" else {
            throw ConfigurationError("provider id '\(id)' must be 1-32 of a-z, 0-9, '-', '_' (not first)")
        }
        guard !clientID.isEmpty, !clientSecret.isEmpty else { throw ConfigurationError("provider '\(id)': empty client_id or client secret") }
        if kind == .oidc, !scopes.contains("openid") { throw ConfigurationError("provider '\(id)': scopes must include openid") }
        for (name, url) in [
            ("issuer", issuer), ("authorization_endpoint", authorizationEndpoint), ("token_endpoint", tokenEndpoint),
            ("userinfo_endpoint", userinfoEndpoint), ("emails_endpoint", emailsEndpoint), ("jwks_uri", jwksURI),
        ] {
            guard let url else { continue }
            guard Self.isAllowedEndpoint(url) else {
                throw ConfigurationError("provider '\(id)': \(name) must be an https URL (http only on a loopback host)")
            }
        }
    }

    /// An absolute `https` URL, or an `http` one whose host is loopback (`localhost`, `127.0.0.0/8`, `[::1]`).
    static func isAllowedEndpoint(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty, components.user == nil, components.password == nil,
            components.fragment == nil
        else { return false }
        switch scheme {
        case "https": return true
        case "http": return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        default: return false
        }
    }
}

/// The providers of `--oidc-providers` (order kept: the page shows them in it).
public struct OIDCProviderSet: SettingValue {
    public var providers: [OIDCProviderConfiguration]

    public init(_ providers: [OIDCProviderConfiguration]) { self.providers = providers }

    /// Reads and checks a providers file: a JSON array, unique ids.
    static func load(path: String) throws(ConfigurationError) -> OIDCProviderSet {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw ConfigurationError("cannot read the providers file (at most 1 MiB)")
        }
        let providers: [OIDCProviderConfiguration]
        do {
            providers = try JSONDecoder().decode([OIDCProviderConfiguration].self, from: data)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("the providers file is not a JSON array of providers: \(error)")
        }
        guard Set(providers.map(\.id)).count == providers.count else { throw ConfigurationError("provider ids must be unique") }
        return OIDCProviderSet(providers)
    }
}
