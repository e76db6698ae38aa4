import CLMDB

/// An error returned by LMDB, carrying its return code and LMDB's own message.
public struct LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The raw LMDB (or errno) return code.
    public let code: Int32

    /// Wraps a return code.
    public init(code: Int32) { self.code = code }

    /// `MDB_NOTFOUND`: the key or cursor position does not exist.
    public static let notFound = LMDBError(code: MDB_NOTFOUND)
    /// `MDB_KEYEXIST`: a put with `noOverwrite` met an existing key.
    public static let keyExists = LMDBError(code: MDB_KEYEXIST)
    /// `MDB_MAP_FULL`: the memory map is full; the environment grows it and retries.
    public static let mapFull = LMDBError(code: MDB_MAP_FULL)
    /// `MDB_MAP_RESIZED`: another process grew the map; the environment adopts it and retries.
    public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
    /// `MDB_READERS_FULL`: too many concurrent readers.
    public static let readersFull = LMDBError(code: MDB_READERS_FULL)
    /// `MDB_BAD_VALSIZE`: a key was empty or longer than the maximum key size.
    public static let badValueSize = LMDBError(code: MDB_BAD_VALSIZE)

    /// LMDB's description of the code.
    public var description: String {
        guard let cString = mdb_strerror(code) else { return "LMDB error \(code)" }
        return "LMDB error \(code): \(String(cString: cString))"
    }

    /// The one place where LMDB return codes become Swift errors.
    @inline(__always)
    static func check(_ rc: Int32) throws(LMDBError) {
        if rc != 0 { throw LMDBError(code: rc) }
    }
}
