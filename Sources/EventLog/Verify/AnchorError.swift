/// A problem with an anchor file, its key or a checkpoint.
public struct AnchorError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
