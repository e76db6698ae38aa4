import CLMDB

/// A handle to a named database inside an ``Environment``.
///
/// Handles are opened once (``Environment/openDatabase(_:flags:)``) and stay valid for the life of the environment.
public struct Database: Sendable, Hashable {
    /// The LMDB handle.
    let dbi: MDB_dbi
    /// The name it was opened with.
    public let name: String
    /// Whether the database keeps sorted duplicate values per key.
    public let isDupSort: Bool
}

/// Flags for opening a named database.
public struct DatabaseFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Create the database if it does not exist.
    public static let create = DatabaseFlags(rawValue: UInt32(MDB_CREATE))
    /// Allow several sorted values per key.
    public static let dupSort = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// With `dupSort`: all values of a key have the same size.
    public static let dupFixed = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
}

/// Flags for ``Transaction/put(_:key:value:flags:)``.
public struct PutFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with ``LMDBError/keyExists`` if the key is present.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every existing key (fast bulk load; fails otherwise).
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
    /// With `dupSort`: the value sorts after every existing value of the key.
    public static let appendDup = PutFlags(rawValue: UInt32(MDB_APPENDDUP))
    /// With `dupSort`: fail if this exact key/value pair exists.
    public static let noDupData = PutFlags(rawValue: UInt32(MDB_NODUPDATA))
}
