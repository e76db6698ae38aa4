import Foundation

/// The checks of a shared log's URL (`authd serve --store`, `authctl --store` and `migrate`): a `postgres://` (or
/// `postgresql://`) URL with a host and without a password, which would show in `ps` and in logs (libpq reads
/// `PGPASSWORD` or the password file instead).
public enum StoreURL {
    /// Why a URL is refused; the description never repeats the URL.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a `postgres://USER@HOST:PORT/DB` URL.
        case notPostgres
        /// The URL holds a password (in its user part or as a `password` parameter).
        case password

        public var description: String {
            switch self {
            case .notPostgres: return "expected a postgres://USER@HOST:PORT/DB URL"
            case .password: return "the URL must not hold the password: set PGPASSWORD or use a password file (PGPASSFILE)"
            }
        }
    }

    /// Throws the ``Refusal`` of `url`, if any.
    public static func check(_ url: String) throws(Refusal) {
        guard let scheme = ["postgres://", "postgresql://"].first(where: { url.hasPrefix($0) }),
            let components = URLComponents(string: url)
        else { throw .notPostgres }
        let authority = url.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { throw .password }
        if components.password != nil || url.lowercased().contains("password=") { throw .password }
        guard !authority.isEmpty else { throw .notPostgres }
    }
}
