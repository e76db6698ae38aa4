/// The tables of projections resolved so far, by projection and table name: what ``ProjectionState`` (and the
/// rebuild's fold tables) hand out per event without building a database name or hashing one.
package struct ResolvedTables<Table> {
    @usableFromInline
    var entries: [(projection: String, table: String, value: Table)] = []

    @inlinable
    package init() {}

    /// The table `table` of projection `projection`, made by `make` the first time it is asked for. A short list
    /// compared with `==` (names are literals: equal strings share their bits), table names' lengths first:
    /// comparing two different strings costs more than comparing two equal literals.
    @inlinable
    package mutating func table(_ projection: String, _ table: String, make: () -> Table) -> Table {
        let tableLength = table.utf8.count
        let hit = entries.withUnsafeBufferPointer { entries -> Int? in
            for index in entries.indices
            where entries[index].table.utf8.count == tableLength && entries[index].table == table && entries[index].projection == projection {
                return index
            }
            return nil
        }
        if let hit { return entries[hit].value }
        let made = make()
        entries.append((projection, table, made))
        return made
    }
}
