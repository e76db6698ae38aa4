import EventLog

/// The `--require-verified-email` rule every login path applies inside its transaction, after its credential check.
enum VerifiedEmailRule {
    /// Throws ``AuthError/emailNotVerified`` if `required` and the current address of `userID` is not verified.
    static func check(_ userID: String, required: Bool, in context: CommandContext) throws {
        if required, try !UserEmail.isVerified(userID, in: context.state) { throw AuthError.emailNotVerified }
    }
}
