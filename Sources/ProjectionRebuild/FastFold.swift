import EventLog

/// An opt-in fast path of a projection in a rebuild: folding events straight into the rebuild's in-memory tables
/// (reading fields in place, patching records where they lie, deferring secondary indexes), where `apply`, the
/// plain reducer, is the specification.
///
/// A projection that conforms does so in a file of its own (`<Projection>+FastFold.swift`). The rebuild folds each
/// event through ``fold(_:into:)`` and, when that leaves the event (returns false), through `apply` on the same
/// tables; the live write path and `authctl verify` always use `apply`. The tables must end byte for byte as
/// `apply` alone would leave them (`FastFoldTests` checks it over generated logs).
public protocol FastFold: Projection {
    /// Tables that a rebuild fills from another of the projection's tables after the fold instead of per event
    /// (secondary indexes; see ``DerivedTable``). While the log is folded they are deferred
    /// (``FoldTable/isDeferred``): writes to them are dropped and reads find nothing, for `apply` too. Empty by
    /// default.
    var derivedTables: [DerivedTable] { get }

    /// Folds `event` (borrowed from the rebuild's batch: ``FoldEvent``) into the rebuild's tables as `apply` would
    /// and returns true, or changes nothing and returns false to leave the event to `apply`.
    func fold(_ event: FoldEvent, into tables: FoldTables) throws -> Bool
}

extension FastFold {
    public var derivedTables: [DerivedTable] { [] }
}
