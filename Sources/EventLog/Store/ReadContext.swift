import LMDB

/// A read snapshot of the log and the projections.
public struct ReadContext {
    let txn: Transaction
    let tables: LogTables
    let databases: [String: Database]

    /// The projections' tables, read-only by convention (writes fail in a read transaction).
    public var state: ProjectionState { ProjectionState(.live(txn, databases)) }

    /// The newest event.
    public func head() throws -> LogHead { try LogHead.read(txn, tables) }

    /// The event with sequence number `seq`, or nil.
    public func event(_ seq: UInt64) throws -> RecordedEvent? {
        guard let stored = try txn.get(tables.log, key: EventCodec.seqKey(seq)) else { return nil }
        return try EventCodec.decode(seq: seq, stored: stored)
    }

    /// Visits events in log order from `from` until `body` returns false.
    public func forEachEvent(from: UInt64 = 1, _ body: (RecordedEvent) throws -> Bool) throws {
        try txn.forEach(tables.log, from: EventCodec.seqKey(from)) { key, value in
            guard let seq = EventCodec.seq(fromKey: key) else { throw EventStoreError.corrupt("bad log key") }
            return try body(try EventCodec.decode(seq: seq, stored: value))
        }
    }

    /// The sequence numbers of `stream`'s events, in log order, from the index.
    public func seqs(in stream: StreamRef, from: UInt64 = 0) throws -> [UInt64] {
        guard let db = databases[StreamIndex().databaseName("by_stream")] else { return [] }
        let prefix = StreamIndex.prefix(stream)
        var seqs: [UInt64] = []
        try txn.forEach(db, from: StreamIndex.key(stream, seq: from)) { key, _ in
            guard key.count == prefix.count + 8, key.starts(with: prefix) else { return false }
            seqs.append(EventCodec.seq(fromKey: Array(key[prefix.count...]))!)
            return true
        }
        return seqs
    }

    /// Visits entries of a projection table whose keys start with `prefix`, in key order, until `body` returns false.
    public func scan(_ table: ProjectionTable, prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        guard let db = databases[table.name] else { throw EventStoreError.unknownTable(table.name) }
        try txn.forEach(db, from: prefix) { key, value in
            guard key.starts(with: prefix) else { return false }
            return try body(key, value)
        }
    }

    /// Visits entries of a projection table from the first key at or after `start`, in key order, until `body`
    /// returns false (cursor pagination).
    public func scan(_ table: ProjectionTable, from start: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        guard let db = databases[table.name] else { throw EventStoreError.unknownTable(table.name) }
        try txn.forEach(db, from: start.isEmpty ? nil : start, body)
    }
}
