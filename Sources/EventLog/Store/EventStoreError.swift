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

    public var description: String {
        switch self {
        case .unknownTable(let name): return "unknown projection table \(name)"
        case .closed: return "the event store is closed"
        case .overloaded: return "the event store's writer queue is full"
        case .corrupt(let why): return "corrupt log: \(why)"
        case .duplicateProjection(let name): return "two projections are named \(name)"
        case .derivedKeyTaken(let table): return "a key of \(table) would belong to two entries of the table it is derived from"
        case .sideTableName(let name): return "\(name) is a log or projection table, not a side table"
        }
    }
}
