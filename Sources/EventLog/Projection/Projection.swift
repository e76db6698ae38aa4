/// A read model derived from the log: a reducer from events to key/value tables.
///
/// `apply` must be a pure function of the event and the projection's own tables (point reads and writes only, no
/// clock, no randomness, no I/O): that is what makes a rebuild from the log byte-identical to the live state.
/// The table names carry ``version``: bump it when the stored shape changes, and the new tables are built from the
/// log on the next start.
public protocol Projection: Sendable {
    /// Short name, e.g. `sessions`.
    var name: String { get }
    /// Version of the stored shape.
    var version: Int { get }
    /// The projection's tables, e.g. `["by_id", "by_token"]`.
    var tables: [String] { get }
    /// The event types this projection reacts to; `nil` means every type. Rebuilds skip decoding other events.
    var eventTypes: Set<String>? { get }
    /// Folds one event into the projection's tables.
    func apply(_ event: RecordedEvent, to state: ProjectionState) throws
}

extension Projection {
    public var eventTypes: Set<String>? { nil }

    /// The LMDB database name of one of this projection's tables: `p.<name>.v<version>.<table>`.
    public func databaseName(_ table: String) -> String { "p.\(name).v\(version).\(table)" }

    /// The key under which this projection's checkpoint (last applied seq) is kept in the meta table.
    package var checkpointKey: [UInt8] { Array("checkpoint/p.\(name).v\(version)".utf8) }
}

extension Sequence where Element == any Projection {
    /// The full database names of these projections' tables, sorted.
    public var databaseNames: [String] {
        flatMap { projection in projection.tables.map { projection.databaseName($0) } }.sorted()
    }
}
