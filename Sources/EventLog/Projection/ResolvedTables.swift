/// The tables of projections resolved so far, by projection and table name: what ``ProjectionState`` (and the
/// rebuild's fold tables) hand out per event without building a database name or hashing one.
package struct ResolvedTables<Table> {
    @usableFromInline
    var entries: [(projection: String, table: String, value: Table)] = []

    @inlinable
    package init() {}

    /// The table `table` of projection `projection`, if it was resolved before. A short list compared with `==`
    /// (names are literals: equal strings share their bits), table names' lengths first: comparing two different
    /// strings costs more than comparing two equal literals.
    @inlinable
    package func table(_ projection: String, _ table: String) -> Table? {
        let tableLength = table.utf8.count
        return entries.withUnsafeBufferPointer { entries -> Table? in
            for index in entries.indices
            where entries[index].table.utf8.count == tableLength && entries[index].table == table && entries[index].projection == projection {
                return entries[index].value
            }
            return nil
        }
    }

    /// Remembers `value` as the table `table` of projection `projection`.
    @inlinable
    package mutating func add(_ projection: String, _ table: String, _ value: Table) {
        entries.append((projection, table, value))
    }
}
