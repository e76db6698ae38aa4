import EventLog

/// A short list of ids kept as one value, so that a reducer finds a user's few entries of a table with one point
/// read (a rebuild's tables are hash maps: a prefix scan there sorts the whole table): the ids' UTF-8 bytes joined
/// by 0x00, in the order they were added, each once (ids hold no zero byte, as in ``Key/pair(_:_:)`` keys).
enum IDList {
    /// The ids stored under `key` in `table`, none if there is no entry.
    static func ids(in table: ProjectionTable, _ key: [UInt8]) throws -> [String] {
        guard let value = try table.get(key) else { return [] }
        return value.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Adds `id` to the list under `key` (nothing if it is there).
    static func add(_ id: String, in table: ProjectionTable, _ key: [UInt8]) throws {
        var ids = try ids(in: table, key)
        guard !ids.contains(id) else { return }
        ids.append(id)
        try store(ids, in: table, key)
    }

    /// Removes `id` from the list under `key`; the entry goes with its last id.
    static func remove(_ id: String, in table: ProjectionTable, _ key: [UInt8]) throws {
        let ids = try ids(in: table, key)
        guard ids.contains(id) else { return }
        try store(ids.filter { $0 != id }, in: table, key)
    }

    private static func store(_ ids: [String], in table: ProjectionTable, _ key: [UInt8]) throws {
        if ids.isEmpty {
            _ = try table.delete(key)
        } else {
            try table.put(key, Array(ids.joined(separator: "\u{0}").utf8))
        }
    }
}
