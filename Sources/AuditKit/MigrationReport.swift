import EventLog

/// What a migration between engines copied and checked (``MigrationToShared``, ``MigrationFromShared``).
public struct MigrationReport: Sendable {
    /// Events copied.
    public var events: UInt64 = 0
    /// Commits written to (or applied from) the shared log.
    public var commits: UInt64 = 0
    /// Bytes of the commits' write sets.
    public var bytes: Int = 0
    /// The log head, equal on both sides.
    public var head: LogHead = .empty
    /// The projection digest (``Digest``), equal on both sides and to a rebuild from the log.
    public var digest: [UInt8] = []
    /// Seconds the copy and its checks took.
    public var seconds: Double = 0
}

/// A migration refused or failed: what went wrong (nothing was committed to the target).
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    /// What was wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
