extension ProjectionTable {
    /// The entries whose keys start with `prefix`, in key order.
    ///
    /// For commands that must act on a set inside the write transaction (revoke every session of a user), so the
    /// set cannot change between reading it and acting on it. `apply` should keep to point reads and writes.
    public func entries(prefix: [UInt8]) throws -> [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        switch storage {
        case .live(let txn, let db, _):
            guard let db else { throw EventStoreError.unknownTable(name) }
            try txn.forEach(db, from: prefix.isEmpty ? nil : prefix) { key, value in
                guard key.starts(with: prefix) else { return false }
                out.append((key, value))
                return true
            }
        case .memory(let table):
            for (key, value) in table._withUnsafeGuaranteedRef({ $0.sortedEntries() }) where key.starts(with: prefix) {
                out.append((key, value))
            }
        }
        return out
    }
}
