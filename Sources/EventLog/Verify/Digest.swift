import AuthCrypto
import LMDB

/// A deterministic digest of projection state: SHA-256 over every table (sorted by name) and its entries (in key
/// order), each length-prefixed. Equal digests mean byte-identical projections.
public enum Digest {
    package static func absorb(_ hasher: inout AuthCrypto.SHA256, _ bytes: [UInt8]) {
        hasher.update(EventCodec.seqKey(UInt64(bytes.count)))
        hasher.update(bytes)
    }

    /// The digest of the live tables in `txn`.
    package static func live(txn: Transaction, names: [String], databases: [String: Database]) throws -> [UInt8] {
        var hasher = AuthCrypto.SHA256()
        for name in names {
            guard let db = databases[name] else { throw EventStoreError.unknownTable(name) }
            absorb(&hasher, Array(name.utf8))
            try txn.forEach(db) { key, value in
                absorb(&hasher, key)
                absorb(&hasher, value)
                return true
            }
        }
        return hasher.finalize()
    }

    /// The digest of tables given as an iteration of each table's entries in key order.
    package static func sorted(
        names: [String], _ forEach: (String, (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> [UInt8] {
        var hasher = AuthCrypto.SHA256()
        for name in names {
            absorb(&hasher, Array(name.utf8))
            try forEach(name) { key, value in
                absorb(&hasher, key)
                absorb(&hasher, value)
            }
        }
        return hasher.finalize()
    }

    private static func absorb(_ hasher: inout AuthCrypto.SHA256, _ bytes: UnsafeRawBufferPointer) {
        hasher.update(EventCodec.seqKey(UInt64(bytes.count)))
        hasher.update(Array(bytes))
    }

    /// The digest of the store's live projections.
    public static func live(store: EventStore) throws -> [UInt8] {
        try store.environment.read { txn in
            try live(txn: txn, names: store.projections.databaseNames, databases: store.databases)
        }
    }
}
