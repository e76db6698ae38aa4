/// An invalid setting: the message names the flag or variable the value came from.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. `invalid value 'x' for --argon2-iterations: expected an integer in 1...1024`.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
