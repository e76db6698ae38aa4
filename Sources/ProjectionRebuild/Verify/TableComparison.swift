import LMDB
import EventLog

/// A difference between a live table and its rebuilt state. Keys and values are in place, valid only during the
/// call that hands them out.
enum TableDifference {
    /// The key is live but not in the rebuilt state.
    case extraLive(key: UnsafeRawBufferPointer)
    /// The key is in the rebuilt state (with `value`) but not live.
    case missingLive(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    /// Both hold the key, with different values; `value` is the rebuilt one.
    case valueDiffers(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
}

/// Compares a live table with its rebuilt state by walking both in key order at once (a merge), without copying
/// either: what `authctl verify` reports first and what a rebuild repairs.
enum TableComparison {
    private struct Stopped: Error {}

    /// Walks the live table `db` in `txn` and the rebuilt entries that `rebuilt` hands to its argument (in key order,
    /// as LMDB orders keys), calling `body` with each difference in key order until `body` returns false. Returns
    /// whether the walk reached the end of both.
    @discardableResult
    static func forEachDifference(
        txn: Transaction, db: Database,
        rebuilt: ((UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws -> Void,
        _ body: (TableDifference) throws -> Bool
    ) throws -> Bool {
        let cursor = try InPlaceCursor(txn, db)
        defer { cursor.close() }
        var live = try cursor.first()
        do {
            // `rebuilt` runs the closure below before it returns; Swift cannot tell, hence the escape in name only.
            try withoutActuallyEscaping(body) { body in
                try rebuilt { key, value in
                    while let (liveKey, _) = live, ByteOrder.compare(liveKey, key) < 0 {
                        guard try body(.extraLive(key: liveKey)) else { throw Stopped() }
                        live = try cursor.next()
                    }
                    if let (liveKey, liveValue) = live, ByteOrder.compare(liveKey, key) == 0 {
                        if ByteOrder.compare(liveValue, value) != 0 {
                            guard try body(.valueDiffers(key: key, value: value)) else { throw Stopped() }
                        }
                        live = try cursor.next()
                    } else {
                        guard try body(.missingLive(key: key, value: value)) else { throw Stopped() }
                    }
                }
            }
        } catch is Stopped {
            return false
        }
        while let (liveKey, _) = live {
            guard try body(.extraLive(key: liveKey)) else { return false }
            live = try cursor.next()
        }
        return true
    }
}
