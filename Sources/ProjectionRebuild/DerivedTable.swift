import EventLog

/// A table of a projection whose entries follow from the entries of another of its tables, one entry (or none) per
/// source entry: a secondary index, such as sessions by token hash derived from sessions by id.
///
/// The live path keeps a derived table up to date in `apply`, like any other table. A rebuild does not: while it
/// folds the log, the table is *deferred* (``FoldTable/isDeferred``; writes to it are dropped), and once the
/// fold is done it is filled from its source by ``entry``, in one pass over the final source entries instead of one
/// random access per event. That is what databases do on a bulk load (build the indexes after the data). The
/// rebuilt table is then checked against the live one like every other table, and `authctl verify` folds every
/// table through `apply`, so a derivation that disagrees with `apply` shows up as a difference.
///
/// Contract: `apply` never reads a derived table to decide what it writes to another table, and the derived
/// table's final state depends only on the final state of its source (for a secondary index: keys unique across
/// source entries).
public struct DerivedTable: Sendable {
    /// The derived table (one of the projection's ``Projection/tables``).
    public let name: String
    /// The table it is derived from (another of them).
    public let source: String
    /// The derived entry of one source entry, or nil for none; the buffers are valid only during the call.
    public let entry: @Sendable (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> (key: [UInt8], value: [UInt8])?

    /// A table `name` derived from `source`, entry by entry.
    public init(
        _ name: String, from source: String,
        entry: @escaping @Sendable (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> (key: [UInt8], value: [UInt8])?
    ) {
        self.name = name
        self.source = source
        self.entry = entry
    }
}
