/// The names of the projection tables resolved so far, each with its position in the owner's list of tables: what
/// ``ProjectionState`` (and the rebuild's fold tables) use to hand out a table per event without building a
/// database name or hashing one. (Names only, no generic values: a lookup needs no type metadata at run time.)
package struct ResolvedTables {
    @usableFromInline
    var projections: [String] = []
    @usableFromInline
    var tables: [String] = []

    @inlinable
    package init() {}

    /// The position of table `table` of projection `projection`, if it was resolved before. Names are compared
    /// with `==` (literals: equal strings share their bits), table names' lengths first: comparing two different
    /// strings costs more than comparing two equal literals.
    @inlinable
    package func position(_ projection: String, _ table: String) -> Int? {
        let tableLength = table.utf8.count
        for index in tables.indices
        where tables[index].utf8.count == tableLength && tables[index] == table && projections[index] == projection {
            return index
        }
        return nil
    }

    /// Remembers table `table` of projection `projection` at the next position.
    @inlinable
    package mutating func add(_ projection: String, _ table: String) {
        projections.append(projection)
        tables.append(table)
    }
}
