/// Checks of `--store`: a `postgres://` (or `postgresql://`) URL without a password.
enum StoreURL {
    /// `text` if it is a PostgreSQL URL with no password in it; else the error `invalid` makes.
    static func validated(_ text: String, invalid: (String) -> any Error) throws -> String {
        guard let scheme = ["postgres://", "postgresql://"].first(where: { text.hasPrefix($0) }) else {
            throw invalid("expected a postgres://USER@HOST:PORT/DB URL")
        }
        let rest = text.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
            throw invalid("the URL must not hold the password: set PGPASSWORD or use a password file (PGPASSFILE)")
        }
        if text.contains("password=") {
            throw invalid("the URL must not hold the password: set PGPASSWORD or use a password file (PGPASSFILE)")
        }
        guard !authority.isEmpty else { throw invalid("expected a host in postgres://USER@HOST:PORT/DB") }
        return text
    }
}
