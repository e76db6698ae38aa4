import EventLog

/// Projections folded in memory from any chosen events (not stored): what audit tools use to reconstruct state at a
/// point in time from a stream's events without touching the live tables.
public final class ScratchProjections {
    private let projections: [any Projection]
    private let memory: MemoryTables
    private let state: ProjectionState

    /// Creates empty in-memory tables for `projections`.
    public init(_ projections: [any Projection]) {
        self.projections = projections
        memory = MemoryTables(names: projections.databaseNames)
        state = ProjectionState(detached: memory)
    }

    /// Folds `event` into every projection.
    public func apply(_ event: RecordedEvent) throws {
        for projection in projections { try projection.apply(event, to: state) }
    }

    /// The table `table` of `projection` (for point reads with the projection's own record types).
    public func table(_ projection: some Projection, _ table: String) -> ProjectionTable {
        state.table(projection, table)
    }

    /// All entries of a table, in key order.
    public func entries(_ projection: some Projection, _ table: String) -> [(key: [UInt8], value: [UInt8])] {
        memory.sortedEntries(projection.databaseName(table)).map { (key: $0.0, value: $0.1) }
    }
}
