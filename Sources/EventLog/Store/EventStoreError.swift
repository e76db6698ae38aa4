/// Errors of the event store.
public enum EventStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A projection asked for a table it did not declare.
    case unknownTable(String)
    /// The store was closed.
    case closed
    /// The writer's queue is full (``EventStore/Options/maxQueued`` commands wait already): retry shortly.
    case overloaded
    /// The log or its meta table is not in the expected shape.
    case corrupt(String)
    /// Two projections share a name.
    case duplicateProjection(String)
    /// A key of a derived table (a secondary index, ``DerivedTable``) would belong to two entries of its source:
    /// refused by `apply`, and reported by a rebuild that derives the table.
    case derivedKeyTaken(table: String)
    /// A side table (``SideTable``) was asked for under the name of a log or projection table.
    case sideTableName(String)
    /// The shared log (``SharedLog``: the PostgreSQL engine) cannot be reached: nothing was committed (unless the
    /// connection was lost during the commit itself); retry later.
    case unavailable(String)
    /// This node's replica and the shared log disagree (the shared log lost commits this node has, or the replica
    /// belongs to another log): the node refuses to write until an operator looks.
    case diverged(String)

    public var description: String {
        switch self {
        case .unknownTable(let name): return "unknown projection table \(name)"
        case .closed: return "the event store is closed"
        case .overloaded: return "the event store's writer queue is full"
        case .corrupt(let why): return "corrupt log: \(why)"
        case .duplicateProjection(let name): return "two projections are named \(name)"
        case .derivedKeyTaken(let table): return "a key of \(table) would belong to two entries of the table it is derived from"
        case .sideTableName(let name): return "\(name) is a log or projection table, not a side table"
        case .unavailable(let why): return "the shared log is unavailable: \(why)"
        case .diverged(let why): return "this node's replica and the shared log diverged: \(why)"
        }
    }
}
