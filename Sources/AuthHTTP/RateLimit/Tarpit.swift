import Synchronization

/// Holds a refused request for a while before it is answered, so that a client that floods without waiting gets at
/// most one answer per ``delay`` per connection instead of taking the CPU from everyone else. At most ``capacity``
/// requests are held at once (each costs a suspended task, no thread); beyond that they are answered at once.
public final class Tarpit: Sendable {
    /// How long a refused request is held.
    public let delay: Duration
    /// Most requests held at once.
    public let capacity: Int
    private let held = Atomic<Int>(0)

    /// A tarpit holding up to `capacity` requests for `delay` each.
    public init(delay: Duration = .seconds(1), capacity: Int = 10_000) {
        self.delay = delay
        self.capacity = capacity
    }

    /// Waits ``delay`` if fewer than ``capacity`` requests are held, else returns at once.
    public func hold() async {
        let (previous, _) = held.add(1, ordering: .relaxed)
        defer { held.subtract(1, ordering: .relaxed) }
        guard previous < capacity else { return }
        try? await Task.sleep(for: delay)
    }

    /// Requests held now.
    public var count: Int { held.load(ordering: .relaxed) }
}
