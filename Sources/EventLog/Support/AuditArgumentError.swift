/// An audit tool's argument (a time, a seq range) was refused; the description says why, for the person who typed it.
public struct AuditArgumentError: Error, Equatable, CustomStringConvertible {
    /// The message to show.
    public let description: String

    /// Creates the error with its message.
    public init(_ description: String) { self.description = description }
}
